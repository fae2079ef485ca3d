package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.spi.CredentialStore;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The audit trail of a full run, successes and every failure kind on HTTP and SMTP, holds no
 * secret (checklist H43, H44; ASVS 5.0 16.2.5, 16.3.1).
 */
class AuditLogTest {

    @Test
    void theAuditLogOfAFullRunHoldsNoSecret() throws Exception {
        Path log = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile"));
        Fixtures f = new Fixtures(CredentialStore.inMemory(), Portcullis.builder()
                .listener(AuthListener.slf4jAudit())
                .failureBudgets(Limit.perHour(10), Limit.perHour(1), Limit.perHour(100)), Runnable::run);
        List<String> secrets = new ArrayList<>();
        List<String> blobs = new ArrayList<>();

        IssuedKey k = f.keys().changedBy("alice", "setup").create(KeySpec.builder().account("acme")
                .grant("messages:send", "example.com").allow("203.0.113.0/24")
                .rateLimit(RateLimitPolicy.of(Limit.perHour(2))).build());
        IssuedKey p = f.keys().createSmtpCredential(KeySpec.builder()
                .account("acme").username("postmaster@example.com").allowHttp().build());
        secrets.add(k.token());
        secrets.add(p.password());
        String forged = DenyReasonsTest.sameIdOtherSecret(k.token());
        secrets.add(forged);

        String good = Fixtures.basic("api", k.token());
        blobs.add(good.substring(6));
        f.auth().authenticate(AuthRequest.http(good, "203.0.113.7"));                                   // allowed
        f.auth().authenticate(AuthRequest.http(good, "203.0.113.7").require("messages:send", "x.org")); // PERMISSION_DENIED
        f.auth().authenticate(AuthRequest.http(good, "203.0.113.7"));
        f.auth().authenticate(AuthRequest.http(good, "203.0.113.7"));                                   // RATE_LIMITED
        f.auth().authenticate(AuthRequest.http(good, "198.51.100.1"));                                  // IP_NOT_ALLOWED
        f.auth().authenticate(AuthRequest.http((String) null, "203.0.113.7"));                          // MISSING
        String malformed = "Basic " + Base64.getEncoder().encodeToString(("api" + k.token()).getBytes(StandardCharsets.UTF_8));
        blobs.add(malformed.substring(6));
        f.auth().authenticate(AuthRequest.http(malformed, "203.0.113.7"));                              // MALFORMED (no colon)
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", forged), "203.0.113.7"));          // WRONG_SECRET
        String typo = k.token().substring(0, 20) + (k.token().charAt(20) == 'x' ? "y" : "x") + k.token().substring(21);
        secrets.add(typo);
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", typo), "203.0.113.7"));            // UNKNOWN_KEY (format)
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("nobody@example.com", p.password()), "192.0.2.9")); // UNKNOWN user
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("postmaster@example.com", "wrong " + p.password()), "192.0.2.9")); // WRONG + budget
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("postmaster@example.com", p.password()), "192.0.2.9")); // TOO_MANY_FAILURES
        String plain = SmtpSaslTest.b64("\0postmaster@example.com\0" + p.password());
        blobs.add(plain);
        f.auth().sasl("PLAIN", "203.0.113.7", true).respond(plain);                                      // allowed on SMTP
        String keyAsPassword = SmtpSaslTest.b64("\0api\0" + k.token());
        blobs.add(keyAsPassword);
        f.auth().sasl("PLAIN", "203.0.113.7", false).respond(keyAsPassword);                             // TLS required
        f.auth().sasl("LOGIN", "203.0.113.7", true).respond(SmtpSaslTest.b64(p.password()));             // a password typed as username
        f.keys().suspend("acme");
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("postmaster@example.com", p.password()), "198.18.0.1")); // SUSPENDED
        f.keys().resume("acme");
        IssuedKey rotated = f.keys().changedBy("alice", "rotation").rotate(k.id(), Duration.ZERO);
        secrets.add(rotated.token());
        f.auth().authenticate(AuthRequest.http(good, "203.0.113.7"));                                   // EXPIRED
        f.keys().reportLeaked(forged, "scanner");
        f.keys().reportLeaked(rotated.token(), "scanner");
        f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", rotated.token()), "203.0.113.7")); // REVOKED

        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(text.contains("outcome=denied"), "key-value pairs are rendered");
        for (String reason : new String[] {"PERMISSION_DENIED", "RATE_LIMITED", "IP_NOT_ALLOWED", "MISSING_CREDENTIALS",
                "MALFORMED_CREDENTIALS", "WRONG_SECRET", "UNKNOWN_KEY", "TOO_MANY_FAILURES", "ACCOUNT_SUSPENDED", "EXPIRED", "REVOKED"}) {
            assertTrue(text.contains("reason=" + reason), "missing " + reason);
        }
        assertTrue(text.contains("type=LEAK_REPORT_UNVERIFIED") && text.contains("type=LEAK_REPORTED") && text.contains("actor=alice"));
        assertEquals(List.of(), KeyScanner.forFormat(KeyFormat.withPrefix("kat")).includingBadChecksums().scan(text),
                "a key in the audit log");
        List<String> all = new ArrayList<>(secrets);
        all.addAll(blobs);
        for (String secret : all) {
            // A key's prefix and 12-character id are public and logged on purpose; the rest is secret.
            String body = secret.startsWith("kat_") ? secret.substring(4 + KeyFormat.ID_LENGTH) : secret;
            for (int i = 0; i + 8 <= body.length(); i++) {
                String piece = body.substring(i, i + 8);
                assertFalse(text.contains(piece), "8 characters of a secret in the audit log: …" + piece.substring(0, 2));
            }
        }
    }
}
