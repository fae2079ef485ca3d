package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.portcullis.spi.KeyRecord;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import dev.portcullis.spi.LegacyPasswordVerifier;
import dev.portcullis.AuthResult.HttpVerdict;
import dev.portcullis.AuthResult.SmtpReply;
import dev.portcullis.SaslExchange.SaslStep;

/**
 * The secret-leak scan (checklist H43, H44; DESIGN §2 last bullet, §7 Secrets; ASVS 5.0 16.2.5):
 * one end-to-end run of the core, HTTP and SMTP, every {@link DenyReason} and every lifecycle
 * operation, collecting everything a deployment could end up showing or storing in a log:
 *
 * <ul>
 *   <li>every {@link AuthEvent} and {@link KeyEvent} ({@code toString});
 *   <li>every {@link AuthResult}, {@link SaslStep}, {@link SmtpReply}, {@link HttpVerdict}, principal,
 *       rate-limit status and every value the key manager returns ({@code toString} and their wire
 *       renderings: status line, headers, JSON body, SMTP reply line);
 *   <li>every exception message (and cause) thrown by a public call given bad input;
 *   <li>every log line: {@code System.Logger}/JUL through a handler on the root logger at ALL, and the
 *       SLF4J audit log that slf4j-simple writes for {@link AuthListener#slf4jAudit()} (core/pom.xml).
 * </ul>
 *
 * It fails on 8 or more consecutive characters of any secret: the 32-character secret and 6-character
 * checksum of every key issued or presented (their prefix and 12-character id are public and logged
 * on purpose; a presented imported token is secret whole), every password used or tried, every Basic
 * and SASL base64 blob sent, and the stored digests and hashes. {@link AuditLogTest} checks the audit
 * log of a smaller run; this test extends the scan to the rest and to what the audit log does not
 * show.
 */
class SecretLeakScanTest {
    private static final int WINDOW = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Everything collected, one piece a line. */
    private final List<String> seen = new ArrayList<>();
    /** Everything that must never show. */
    private final List<String> secrets = new ArrayList<>();
    private final Set<DenyReason> reasons = EnumSet.noneOf(DenyReason.class);
    private final Set<String> smtpReplies = new HashSet<>();
    private int allowedHttp;
    private int allowedSmtp;
    private int nextClient = 1;

    /** A client address no earlier attempt used, so one attempt's failures never throttle another's. */
    private String fresh() {
        return "192.0.2." + nextClient++;
    }

    private void secret(String s) {
        secrets.add(s);
    }

    /** A key's secret part: its 32-character secret and 6-character checksum. */
    private void keySecret(String token) {
        secrets.add(token.substring(token.length() - KeyFormat.SECRET_LENGTH - KeyFormat.CHECK_LENGTH));
    }

    private void see(Object o) {
        seen.add(String.valueOf(o));
    }

    private String basic(String user, String password) {
        String header = Fixtures.basic(user, password);
        secret(header.substring(6));
        return header;
    }

    private String blob(String text) {
        String b = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        secret(b);
        return b;
    }

    private AuthResult decided(AuthResult r) {
        see(r);
        see(r.principal());
        see(r.rateLimit());
        see(r.retryAfter());
        HttpVerdict h = r.http();
        see(h);
        see(h.headers());
        see(h.jsonBody());
        see(h.status() + " " + h.message());
        SmtpReply s = r.smtp();
        see(s);
        see(s.line());
        if (r.allowed()) {
            see(r.principal().grants());
            see(r.principal().username());
            see(r.principal().displayName());
        } else {
            reasons.add(r.reason());
        }
        return r;
    }

    private AuthResult http(Authenticator auth, String header, String client) {
        AuthRequest request = AuthRequest.http(header, client);
        see(request);
        AuthResult r = decided(auth.authenticate(request));
        if (r.allowed()) {
            allowedHttp++;
        }
        return r;
    }

    private SaslStep sasl(Authenticator auth, String mechanism, String client, boolean tls, String... lines) {
        SaslExchange x = auth.sasl(mechanism, client, tls);
        see(x);
        SaslStep s = null;
        for (String line : lines) {
            s = x.respond(line);
            see(s);
            see(s.reply());
            see(s.reply().line());
            see(s.challenge());
            if (s.done()) {
                decided(s.result());
                smtpReplies.add(s.reply().code() + " " + s.reply().enhanced());
                if (s.result().allowed()) {
                    allowedSmtp++;
                }
            }
        }
        see(x);
        return s;
    }

    /** A public call that must refuse its input: the exception's messages (and causes') are collected. */
    private void refused(Class<? extends Throwable> type, Runnable call) {
        try {
            call.run();
        } catch (Throwable t) {
            assertTrue(type.isInstance(t), () -> "expected " + type.getSimpleName() + ", got " + t);
            for (Throwable c = t; c != null; c = c.getCause()) {
                see(c);
                see(c.getMessage());
            }
            return;
        }
        fail("expected " + type.getSimpleName());
    }

    private <T> T kept(Supplier<T> call) {
        T value = call.get();
        see(value);
        return value;
    }

    @Test
    void nothingAnEndToEndRunShowsOrLogsHoldsASecret() throws Exception {
        // slf4j-simple opens (and truncates) its file when the first logger is made: make it before measuring.
        org.slf4j.LoggerFactory.getLogger(SecretLeakScanTest.class).debug("secret-leak scan starts");
        Path auditLog = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile"));
        long auditFrom = Files.exists(auditLog) ? Files.size(auditLog) : 0;
        List<String> julLines = new ArrayList<>();
        Logger root = Logger.getLogger("");
        Level rootLevel = root.getLevel();
        Handler capture = new Handler() {
            private final SimpleFormatter format = new SimpleFormatter();

            @Override
            public void publish(LogRecord record) {
                synchronized (julLines) {
                    julLines.add(format.format(record));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        root.setLevel(Level.ALL);
        try {
            run();
        } finally {
            root.removeHandler(capture);
            root.setLevel(rootLevel);
        }

        // The run reached what it claims to cover.
        assertEquals(EnumSet.allOf(DenyReason.class), reasons, "every deny reason, HTTP and SMTP");
        assertTrue(allowedHttp >= 4 && allowedSmtp >= 3, "successes on both channels");
        assertTrue(smtpReplies.containsAll(Set.of("235 2.7.0", "501 5.7.0", "500 5.5.6", "504 5.5.4", "538 5.7.11", "535 5.7.8",
                "501 5.5.2", "454 4.7.0")), smtpReplies::toString);
        synchronized (julLines) {
            assertTrue(julLines.stream().anyMatch(l -> l.contains("unreadable token digest")), "JUL lines were captured");
            seen.addAll(julLines);
        }
        String audit = readFrom(auditLog, auditFrom);
        assertTrue(audit.contains("reason=STORE_UNAVAILABLE") && audit.contains("type=LEAK_REPORTED"),
                "the SLF4J audit log of this run was read");
        seen.add(audit);

        String all = String.join("\n", seen);
        assertEquals(List.of(), KeyScanner.forFormat(KeyFormat.withPrefix("kat")).includingBadChecksums().scan(all),
                "a whole key was shown or logged");
        Set<String> grams = new HashSet<>();
        for (String piece : seen) {
            for (int i = 0; i + WINDOW <= piece.length(); i++) {
                grams.add(piece.substring(i, i + WINDOW));
            }
        }
        int windows = 0;
        for (String s : secrets) {
            for (int i = 0; i + WINDOW <= s.length(); i++) {
                windows++;
                String w = s.substring(i, i + WINDOW);
                if (grams.contains(w)) {
                    String where = seen.stream().filter(p -> p.contains(w)).findFirst().orElse("?");
                    fail("8 characters of a secret were shown or logged (…" + w.substring(0, 2) + "…) in: "
                            + where.replace(w, "<" + WINDOW + " secret chars>"));
                }
            }
        }
        assertTrue(secrets.size() > 60 && windows > 2000, "the scan had secrets to look for: " + secrets.size());
    }

    private static String readFrom(Path file, long from) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /** A legacy hash this test's verifier reads: {@code $kat-sha256$<hex>} of the password. */
    private static String legacyHash(String password) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
        return "$kat-sha256$" + HexFormat.of().formatHex(d);
    }

    private void run() throws Exception {
        ControllableStore store = new ControllableStore();
        CountDownLatch legacyStarted = new CountDownLatch(1);
        CountDownLatch legacyRelease = new CountDownLatch(0);
        CountDownLatch[] hold = {legacyRelease};
        LegacyPasswordVerifier legacy = new LegacyPasswordVerifier() {
            @Override
            public boolean supports(String storedHash) {
                return storedHash.startsWith("$kat-sha256$");
            }

            @Override
            public boolean verify(String storedHash, String password) {
                legacyStarted.countDown();
                try {
                    hold[0].await(10, TimeUnit.SECONDS);
                    return MessageDigest.isEqual(storedHash.getBytes(StandardCharsets.US_ASCII),
                            legacyHash(password).getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    return false;
                }
            }
        };
        byte[] pepper = new byte[32];
        RANDOM.nextBytes(pepper);
        Pattern importedShape = Pattern.compile("katimp_[0-9a-f]{40}");
        MutableClock clock = new MutableClock();
        Portcullis portcullis = Portcullis.builder()
                .store(store)
                .keyFormat(KeyFormat.withPrefix("kat"))
                .pepper("p1", pepper)
                .importedKeys(KeyFormat.imported(importedShape))
                .clock(clock)
                .refreshExecutor(Runnable::run)
                .argon2(Fixtures.TEST_ARGON2)
                .argon2Concurrency(1, Duration.ofMillis(5))
                .keyUsernames("api", "SMTP_Injection")
                .failureBudgets(Limit.perHour(6), Limit.perHour(3), Limit.perHour(100))
                .legacyPasswordVerifier(legacy)
                .listener(AuthListener.slf4jAudit())
                .listener(new AuthListener() {
                    @Override
                    public void onEvent(AuthEvent e) {
                        see(e);
                    }

                    @Override
                    public void onKeyEvent(KeyEvent e) {
                        see(e);
                    }
                })
                .listener(e -> {
                    throw new IllegalStateException("a listener that throws (its message is logged)");
                })
                .build();
        see(portcullis);
        KeyManager keys = portcullis.keys().changedBy("alice", "leak scan");
        Authenticator auth = portcullis.authenticator();
        String net = "203.0.113.7";

        // Lifecycle: create, get, list, update, import, rotate, whoami, usage.
        IssuedKey key = kept(() -> keys.create(KeySpec.builder().account("acme").name("sender")
                .grant("messages:send", "example.com").grant("keys:write", "*").grant("keys:read", "*")
                .allow("203.0.113.0/24", "2001:db8::/32").rateLimit(RateLimitPolicy.of(Limit.perHour(50))).build()));
        keySecret(key.token());
        see(key.info());
        IssuedKey other = kept(() -> keys.create(KeySpec.builder().account("acme").grant("domains:read", "*").build()));
        keySecret(other.token());
        IssuedKey limited = kept(() -> keys.create(KeySpec.builder().account("acme").rateLimit(RateLimitPolicy.of(Limit.perHour(1))).build()));
        keySecret(limited.token());
        IssuedKey spent = kept(() -> keys.create(KeySpec.builder().account("acme").credits(0).build()));
        keySecret(spent.token());
        IssuedKey httpOnly = kept(() -> keys.create(KeySpec.builder().account("acme").channels(Channel.HTTP).build()));
        keySecret(httpOnly.token());
        IssuedKey login = kept(() -> keys.createSmtpCredential(KeySpec.builder().account("acme")
                .username("postmaster@example.com").grant("messages:send", "example.com").allowHttp().build()));
        secret(login.password());
        see(login.info());
        String chosen = "chosen-" + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        secret(chosen);
        IssuedKey second = kept(() -> keys.createSmtpCredential(KeySpec.builder().account("acme")
                .username("sales@example.com").password(chosen).build()));
        String legacyPassword = "legacy-" + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        secret(legacyPassword);
        secret(legacyHash(legacyPassword).substring(12));
        KeyInfo imported = kept(() -> {
            try {
                return keys.importSmtpCredential(KeySpec.builder().account("acme").username("old@example.com").allowHttp().build(),
                        legacyHash(legacyPassword));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        String importedToken = "katimp_" + HexFormat.of().formatHex(RANDOM.generateSeed(20));
        secret(importedToken);
        KeyInfo importedKey = kept(() -> keys.importKey(importedToken, KeySpec.builder().account("acme").build()));
        kept(() -> keys.get(key.id()));
        kept(() -> keys.list("acme", null, 2));
        kept(() -> keys.list("acme", keys.list("acme", null, 2).nextCursor(), 50));
        kept(() -> keys.update(other.id(), KeyUpdate.builder().name("reader").allowlist("198.51.100.0/24", "203.0.113.0/24")
                .rateLimit(RateLimitPolicy.of(Limit.perMinute(100))).expiresIn(Duration.ofDays(30)).build()));
        kept(() -> keys.whoami(key.token()));
        kept(() -> keys.whoami(importedToken));
        kept(() -> keys.whoami(DenyReasonsTest.sameIdOtherSecret(key.token())));
        kept(() -> keys.setAccountRateLimit("acme", RateLimitPolicy.of(Limit.perDay(10_000))));
        for (KeyRecord r : List.of(store.findById(key.id()).orElseThrow(), store.findById(login.id()).orElseThrow(),
                store.findById(importedKey.id()).orElseThrow())) {
            see(r);
            String h = r.secretHash();
            secret(h.substring(h.lastIndexOf('$') + 1)); // the digest or the hash itself
        }

        // HTTP successes: Basic api:KEY, Basic KEY: (Stripe), Bearer, a gateway's token, a password, an imported key.
        decided(http(auth, basic("api", key.token()), net));
        decided(http(auth, basic(key.token(), ""), net));
        decided(http(auth, "Bearer " + key.token(), "2001:db8::7"));
        AuthResult gateway = decided(auth.authenticate(AuthRequest.apiKey(importedToken, net)));
        assertTrue(gateway.allowed(), gateway::toString);
        allowedHttp++;
        AuthResult viaPassword = http(auth, basic(login.username(), login.password()), "198.18.0.10");
        assertTrue(viaPassword.allowed(), viaPassword::toString);
        AuthResult required = http(auth, basic("api", key.token()), net);
        decided(auth.authenticate(AuthRequest.http(basic("api", key.token()), net).require("messages:send", "example.com")));
        assertTrue(required.allowed());

        // Every HTTP failure kind.
        http(auth, null, fresh());                                                                         // MISSING_CREDENTIALS
        http(auth, "Basic " + blob("api" + key.token()), fresh());                                          // MALFORMED (no colon)
        http(auth, "Basic " + blob("api:" + key.token()) + "=", fresh());                                   // MALFORMED (bad base64)
        decided(auth.authenticate(AuthRequest.http(List.of(basic("api", key.token()), "Bearer " + key.token()), fresh()))); // two values
        String forged = DenyReasonsTest.sameIdOtherSecret(key.token());
        keySecret(forged);
        http(auth, basic("api", forged), fresh());                                                           // WRONG_SECRET
        String typo = key.token().substring(0, 30) + (key.token().charAt(30) == 'x' ? 'y' : 'x') + key.token().substring(31);
        keySecret(typo);
        http(auth, basic(typo, ""), fresh());                                                                // UNKNOWN_KEY (checksum), key as username
        String unknown = KeyFormat.withPrefix("kat").newToken();
        keySecret(unknown);
        http(auth, "Bearer " + unknown, fresh());                                                            // UNKNOWN_KEY (no such id)
        decided(auth.authenticate(AuthRequest.http(basic("api", key.token()), net).require("messages:send", "evil.org"))); // PERMISSION_DENIED
        http(auth, basic("api", key.token()), "198.51.100.9");                                            // IP_NOT_ALLOWED
        http(auth, basic("api", limited.token()), net);
        http(auth, basic("api", limited.token()), net);                                                   // RATE_LIMITED
        http(auth, basic("api", spent.token()), net);                                                     // CREDITS_EXHAUSTED
        String wrongPassword = login.password() + "!";
        secret(wrongPassword);
        http(auth, basic(login.username(), wrongPassword), fresh());                                // WRONG_SECRET (password)
        http(auth, basic("nobody@example.com", login.password()), fresh());                         // UNKNOWN_KEY (username)
        for (int i = 0; i < 4; i++) {
            http(auth, basic(second.username(), wrongPassword), "198.18.0.30");                            // then TOO_MANY_FAILURES
        }
        for (int i = 0; i < 8; i++) {
            String probe = KeyFormat.withPrefix("kat").newToken();
            keySecret(probe);
            http(auth, "Bearer " + probe, "198.18.0.40");                                                   // store misses: TOO_MANY_FAILURES
        }

        // STORE_UNAVAILABLE: a miss while the store is down (and a usage flush that fails and says so).
        store.down = true;
        String missWhileDown = KeyFormat.withPrefix("kat").newToken();
        keySecret(missWhileDown);
        http(auth, "Bearer " + missWhileDown, fresh());
        portcullis.flushUsage();
        store.down = false;
        clock.advance(Duration.ofSeconds(10)); // past the store backoff

        // BUSY: the one Argon2 slot is held by a (slow) legacy verification; a second login cannot wait.
        hold[0] = new CountDownLatch(1);
        ExecutorService other2 = Executors.newSingleThreadExecutor();
        try {
            Future<AuthResult> slow = other2.submit(() -> auth.authenticate(AuthRequest.http(
                    basic("old@example.com", legacyPassword), fresh())));
            if (!legacyStarted.await(10, TimeUnit.SECONDS)) {
                fail("the legacy verification never started: " + (slow.isDone() ? slow.get() : "still running"));
            }
            AuthResult busy = http(auth, basic(second.username(), chosen), fresh());
            assertEquals(DenyReason.BUSY, busy.reason());
            hold[0].countDown();
            AuthResult legacyLogin = decided(slow.get(10, TimeUnit.SECONDS));
            assertTrue(legacyLogin.allowed(), "a legacy login, rehashed to Argon2id: " + legacyLogin);
            allowedHttp++;
        } finally {
            hold[0].countDown();
            other2.shutdownNow();
        }
        see(store.findById(imported.id()).orElseThrow()); // now rehashed

        // SMTP: successes with a password and with keys, PLAIN and LOGIN, with and without initial responses.
        String smtp = "203.0.113.8";
        sasl(auth, "PLAIN", smtp, true, blob("\0" + login.username() + "\0" + login.password()));
        sasl(auth, "PLAIN", smtp, true, null, blob("\0api\0" + key.token()));
        sasl(auth, "LOGIN", smtp, true, null, blob("SMTP_Injection"), blob(key.token()));
        SaslStep byLogin = sasl(auth, "LOGIN", smtp, true, blob(second.username()), blob(chosen));
        Principal smtpPrincipal = byLogin.result().principal();
        // SMTP failures: every protocol outcome and credential problem.
        sasl(auth, "PLAIN", smtp, false, blob("\0api\0" + key.token()));                                  // 538 TLS required
        sasl(auth, "CRAM-MD5", smtp, true, (String) null);                                              // 504
        sasl(auth, "LOGIN", smtp, true, null, "*");                                                      // 501 5.7.0 cancelled
        sasl(auth, "PLAIN", smtp, true, blob("\0" + login.username() + "\0" + login.password()).repeat(400)); // 500 5.5.6
        sasl(auth, "PLAIN", smtp, true, "=" + blob("\0api\0" + key.token()).substring(1));              // 501 5.5.2
        sasl(auth, "PLAIN", smtp, true, blob("admin@example.com\0" + login.username() + "\0" + login.password())); // authzid: 535
        sasl(auth, "PLAIN", smtp, true, blob("\0api\0" + forged));                                       // 535 wrong secret
        sasl(auth, "PLAIN", smtp, true, blob("\0api\0" + httpOnly.token()));                              // HTTP-only key on SMTP
        sasl(auth, "LOGIN", smtp, true, blob(login.password()), blob(login.username()));                   // a password typed as username
        sasl(auth, "PLAIN", "198.51.100.9", true, blob("\0api\0" + key.token()));                          // IP_NOT_ALLOWED
        for (int i = 0; i < 4; i++) {
            String guess = wrongPassword + i; // distinct guesses: one wrong pair retried spends the budget once
            secret(guess);
            sasl(auth, "PLAIN", "198.18.0.70", true, blob("\0" + second.username() + "\0" + guess));  // then 454 TOO_MANY_FAILURES
        }

        // MAIL FROM: allowed, refused for another domain, and after revocation.
        decided(auth.authorize(smtpPrincipal, "messages:send", "example.com"));
        decided(auth.authorize(smtpPrincipal, "messages:send", "elsewhere.example.org"));

        // Lifecycle again: rotation, a refused rotation, leak reports, suspension, password changes, revocations.
        IssuedKey rotated = kept(() -> keys.rotate(key.id(), Duration.ofHours(1)));
        keySecret(rotated.token());
        refused(IllegalStateException.class, () -> keys.rotate(key.id(), Duration.ZERO));
        clock.advance(Duration.ofHours(2));
        http(auth, basic("api", key.token()), net);                                                       // EXPIRED (grace over)
        kept(() -> keys.reportLeaked(forged, "scanner"));
        kept(() -> keys.reportLeaked(rotated.token(), "https://paste.example/leak"));
        kept(() -> keys.reportLeaked(rotated.token(), "again"));
        kept(() -> keys.reportLeaked("not a key at all " + chosen, "scanner"));
        http(auth, basic("api", rotated.token()), net);                                                   // REVOKED
        decided(auth.authorize(viaPassword.principal(), "messages:send", "example.com"));
        kept(() -> keys.suspend("acme"));
        http(auth, basic("api", other.token()), net);                                                     // ACCOUNT_SUSPENDED
        sasl(auth, "PLAIN", smtp, true, blob("\0" + login.username() + "\0" + login.password()));
        kept(() -> keys.resume("acme"));
        IssuedKey changed = kept(() -> keys.changePassword(login.id()));
        secret(changed.password());
        String chosenAgain = "again-" + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        secret(chosenAgain);
        kept(() -> keys.changePassword(second.id(), chosenAgain));
        http(auth, basic(login.username(), login.password()), fresh());                             // the old password
        kept(() -> keys.usage(key.id()));
        portcullis.flushUsage();
        kept(() -> store.usage(key.id()));
        AuthResult asOther = http(auth, basic("api", other.token()), net);
        assertTrue(asOther.allowed(), asOther::toString);
        KeyManager scoped = keys.actingAs(asOther.principal());
        refused(PortcullisException.Denied.class, () -> scoped.create(KeySpec.builder().account("other").build()));
        kept(() -> keys.revoke(httpOnly.id()));
        kept(() -> keys.revokeAll("acme"));

        // A record written around the KeyManager, with an unreadable digest and allowlist: logged, denied.
        IssuedKey corrupt = keys.create(KeySpec.builder().account("corrupt").build());
        keySecret(corrupt.token());
        KeyRecord r = store.findById(corrupt.id()).orElseThrow();
        store.save(r.toBuilder().secretHash("sha256$" + "A".repeat(12)).allowlist(List.of("10.1.2.3/8")).build(), r.version());
        http(auth, basic("api", corrupt.token()), net);

        // Public calls refusing bad input: their messages are scanned too.
        refused(IllegalArgumentException.class, () -> keys.changePassword(second.id(), "short" + chosen.substring(0, 3)));
        refused(IllegalArgumentException.class, () -> KeySpec.builder().account("acme").username("x@example.com")
                .password(chosen.substring(0, 9)).build());
        refused(IllegalArgumentException.class, () -> keys.importKey("katimp_" + chosen, KeySpec.builder().account("acme").build()));
        refused(IllegalArgumentException.class, () -> keys.importKey(typo, KeySpec.builder().account("acme").build()));
        refused(IllegalArgumentException.class, () -> keys.importSmtpCredential(
                KeySpec.builder().account("acme").username("y@example.com").build(), "$unknown$" + chosen));
        refused(IllegalArgumentException.class, () -> AuthRequest.http(basic("api", key.token()), net).require("messages:*"));
        refused(IllegalArgumentException.class, () -> AuthRequest.apiKey(key.token(), 42));
        refused(RuntimeException.class, () -> keys.rotate(login.id(), Duration.ofHours(1)));
        refused(RuntimeException.class, () -> keys.update("nonexistent01", KeyUpdate.builder().name("x").build()));
        refused(IllegalArgumentException.class, () -> keys.create(KeySpec.builder().account("acme").allow("10.1.2.3/8").build()));
        refused(IllegalArgumentException.class, () -> Portcullis.builder().pepper("p2", "short".getBytes(StandardCharsets.US_ASCII)));
        refused(NullPointerException.class, () -> KeyFormat.withPrefix("kat").parse(null));
        refused(IllegalArgumentException.class, () -> KeyFormat.withPrefix("Kat!"));
        refused(RuntimeException.class, () -> keys.createSmtpCredential(KeySpec.builder().account("acme")
                .username("postmaster@example.com").build()));                                            // username taken
        Optional<KeyInfo> none = kept(() -> keys.whoami("Bearer " + key.token()));
        assertFalse(none.isPresent());
        portcullis.close();
    }
}
