package dev.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.Channel;
import dev.portcullis.Check;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.Grant;
import dev.portcullis.Limit;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.spi.AccountRecord;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.Page;
import dev.portcullis.spi.StoreChange;
import dev.portcullis.spi.StoreConflictException;
import dev.portcullis.spi.Usage;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link CredentialStore} must keep. Extend it in your store's tests and
 * return a fresh, empty store from {@link #newStore()}:
 *
 * <pre>{@code
 * class MyStoreContractTest extends CredentialStoreContract {
 *     @Override protected CredentialStore newStore() { return new MyStore(...); }
 * }
 * }</pre>
 *
 * A store whose change feed is asynchronous states its bound in {@link #changeFeedBound()};
 * the suite waits that long (plus a second) for each change it expects.
 */
public abstract class CredentialStoreContract {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    protected CredentialStore store;
    private final List<StoreChange> changes = new CopyOnWriteArrayList<>();
    private AutoCloseable subscription;

    /** A new, empty store. Called before each test. */
    protected abstract CredentialStore newStore() throws Exception;

    /** Closes what {@link #newStore()} opened. Called after each test. */
    protected void closeStore(CredentialStore store) throws Exception {}

    /** The longest a change takes to reach subscribers; zero for synchronous feeds. */
    protected Duration changeFeedBound() {
        return Duration.ZERO;
    }

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
        subscription = store.subscribe(changes::add);
    }

    @AfterEach
    void close() throws Exception {
        subscription.close();
        closeStore(store);
    }

    protected static String randomId() {
        StringBuilder sb = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(62)));
        }
        return sb.toString();
    }

    protected static KeyRecord.Builder apiKey(String id, String account) {
        return KeyRecord.builder()
                .id(id)
                .account(account)
                .name("contract key")
                .kind(CredentialKind.API_KEY)
                .prefix("kat")
                .secretHash("sha256$" + "A".repeat(43) + "=")
                .channels(EnumSet.of(Channel.HTTP))
                .createdAt(Instant.parse("2026-01-01T00:00:00Z"));
    }

    protected static KeyRecord.Builder login(String id, String account, String username) {
        return KeyRecord.builder()
                .id(id)
                .account(account)
                .kind(CredentialKind.PASSWORD)
                .username(username)
                .secretHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA")
                .passwordProfile("opaque-v1")
                .channels(EnumSet.of(Channel.SMTP))
                .createdAt(Instant.parse("2026-01-01T00:00:00Z"));
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + changeFeedBound().plusSeconds(1).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("within " + changeFeedBound() + " + 1 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    private boolean sawChange(String id, long version) {
        return changes.stream().anyMatch(c -> c.id().equals(id) && c.version() == version);
    }

    @Test
    void createStartsAtVersionOneAndReadsBackEveryField() {
        String id = randomId();
        Instant expires = Instant.parse("2027-01-01T00:00:00Z");
        KeyRecord r = apiKey(id, "acme")
                .grants(List.of(Grant.of("messages:send", "example.com"), Grant.of("domains:*", "*.example.org")))
                .allowlist(List.of("203.0.113.0/24", "2001:db8::/32"))
                .rateLimit(RateLimitPolicy.of(Limit.perSecond(100).burst(200), Limit.perDay(50_000).perAccount()))
                .channels(EnumSet.of(Channel.HTTP, Channel.SMTP))
                .expiresAt(expires)
                .lifetime(Duration.ofDays(30))
                .replacedBy("successor001")
                .changedAt(Instant.parse("2026-01-02T03:04:05Z"))
                .changedBy("alice@acme")
                .changeReason("quarterly rotation, ticket #42")
                .reportOnly(EnumSet.of(Check.ALLOWLIST))
                .build();
        KeyRecord saved = store.save(r, 0);
        assertEquals(1, saved.version());
        KeyRecord read = store.findById(id).orElseThrow();
        assertEquals(1, read.version());
        assertEquals("acme", read.account());
        assertEquals("contract key", read.name());
        assertEquals(CredentialKind.API_KEY, read.kind());
        assertEquals("kat", read.prefix());
        assertEquals(r.secretHash(), read.secretHash());
        assertEquals(r.grants(), read.grants());
        assertEquals(r.allowlist(), read.allowlist());
        assertEquals(r.rateLimit(), read.rateLimit());
        assertNull(store.save(apiKey(randomId(), "acme").build(), 0).rateLimit(), "no own policy stays no own policy");
        assertEquals(r.channels(), read.channels());
        assertEquals(r.createdAt(), read.createdAt().truncatedTo(ChronoUnit.MILLIS));
        assertEquals(expires, read.expiresAt());
        assertEquals(Duration.ofDays(30), read.lifetime());
        assertNull(read.revokedAt());
        assertNull(read.username());
        assertEquals("successor001", read.replacedBy());
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), read.changedAt());
        assertEquals("alice@acme", read.changedBy());
        assertEquals("quarterly rotation, ticket #42", read.changeReason());
        assertEquals(Set.of(Check.ALLOWLIST), read.reportOnly());
        KeyRecord plain = store.save(apiKey(randomId(), "acme").build(), 0);
        assertEquals(Set.of(), store.findById(plain.id()).orElseThrow().reportOnly());
        assertNull(store.findById(plain.id()).orElseThrow().changedBy());
    }

    @Test
    void unknownIdsAndUsernamesAreEmpty() {
        assertTrue(store.findById(randomId()).isEmpty());
        assertTrue(store.findByUsername("nobody@example.com").isEmpty());
    }

    @Test
    void createOfAnExistingIdConflicts() {
        String id = randomId();
        store.save(apiKey(id, "acme").build(), 0);
        assertThrows(StoreConflictException.class, () -> store.save(apiKey(id, "other").build(), 0));
        assertEquals("acme", store.findById(id).orElseThrow().account());
    }

    @Test
    void updatesNeedTheCurrentVersion() {
        String id = randomId();
        KeyRecord v1 = store.save(apiKey(id, "acme").build(), 0);
        KeyRecord v2 = store.save(v1.toBuilder().name("renamed").build(), 1);
        assertEquals(2, v2.version());
        assertThrows(StoreConflictException.class, () -> store.save(v1.toBuilder().name("stale").build(), 1));
        assertThrows(StoreConflictException.class, () -> store.save(v1.toBuilder().name("future").build(), 5));
        KeyRecord read = store.findById(id).orElseThrow();
        assertEquals("renamed", read.name());
        assertEquals(2, read.version());
        assertThrows(StoreConflictException.class, () -> store.save(apiKey(randomId(), "acme").build(), 1));
    }

    @Test
    void revocationIsStored() {
        String id = randomId();
        KeyRecord v1 = store.save(apiKey(id, "acme").build(), 0);
        Instant at = Instant.parse("2026-06-01T12:00:00Z");
        store.save(v1.toBuilder().revokedAt(at).build(), 1);
        assertEquals(at, store.findById(id).orElseThrow().revokedAt());
    }

    @Test
    void usernamesAreUniqueAndFollowRenames() {
        String a = randomId();
        String b = randomId();
        KeyRecord la = store.save(login(a, "acme", "postmaster@example.com").build(), 0);
        assertEquals(a, store.findByUsername("postmaster@example.com").orElseThrow().id());
        assertThrows(StoreConflictException.class, () -> store.save(login(b, "acme", "postmaster@example.com").build(), 0));
        assertTrue(store.findById(b).isEmpty());

        store.save(la.toBuilder().username("sender@example.com").build(), 1);
        assertTrue(store.findByUsername("postmaster@example.com").isEmpty());
        assertEquals(a, store.findByUsername("sender@example.com").orElseThrow().id());
        // The old name is free again.
        store.save(login(b, "acme", "postmaster@example.com").build(), 0);
        assertEquals(b, store.findByUsername("postmaster@example.com").orElseThrow().id());
        assertTrue(store.findByUsername("POSTMASTER@example.com").isEmpty(), "usernames match exactly");
    }

    @Test
    void everyWriteIsAnnouncedWithItsVersionAndUsernames() throws Exception {
        String id = randomId();
        KeyRecord v1 = store.save(login(id, "acme", "old@example.com").build(), 0);
        await("creation event", () -> sawChange(id, 1));
        store.save(v1.toBuilder().username("new@example.com").build(), 1);
        await("update event", () -> sawChange(id, 2));
        StoreChange rename = changes.stream().filter(c -> c.id().equals(id) && c.version() == 2).findFirst().orElseThrow();
        assertEquals(Set.of("old@example.com", "new@example.com"), rename.usernames());
        StoreChange created = changes.stream().filter(c -> c.id().equals(id) && c.version() == 1).findFirst().orElseThrow();
        assertEquals(Set.of("old@example.com"), created.usernames());

        int before = changes.size();
        assertThrows(StoreConflictException.class, () -> store.save(v1, 1));
        String other = randomId();
        store.save(apiKey(other, "acme").build(), 0);
        await("later event", () -> sawChange(other, 1));
        assertEquals(before + 1, changes.size(), "a failed save must not be announced");
    }

    @Test
    void closedSubscriptionsHearNothing() throws Exception {
        List<StoreChange> mine = new CopyOnWriteArrayList<>();
        AutoCloseable sub = store.subscribe(mine::add);
        String first = randomId();
        store.save(apiKey(first, "acme").build(), 0);
        await("event before close", () -> mine.stream().anyMatch(c -> c.id().equals(first)));
        sub.close();
        String second = randomId();
        store.save(apiKey(second, "acme").build(), 0);
        await("event on the open subscription", () -> sawChange(second, 1));
        assertFalse(mine.stream().anyMatch(c -> c.id().equals(second)));
    }

    @Test
    void listingPagesThroughOneAccountInIdOrder() {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            String id = randomId();
            expected.add(id);
            store.save(apiKey(id, "paged").build(), 0);
        }
        for (int i = 0; i < 5; i++) {
            store.save(apiKey(randomId(), "neighbour").build(), 0);
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Page<KeyRecord> page = store.listByAccount("paged", cursor, 10);
            assertTrue(page.items().size() <= 10);
            page.items().forEach(r -> {
                assertEquals("paged", r.account());
                seen.add(r.id());
            });
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(3, pages);
        assertEquals(expected, new HashSet<>(seen));
        assertEquals(25, seen.size(), "no record twice");
        List<String> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        assertEquals(sorted, seen, "stable id order");
        assertTrue(store.listByAccount("empty", null, 10).items().isEmpty());
        assertNull(store.listByAccount("empty", null, 10).nextCursor());
        assertThrows(IllegalArgumentException.class, () -> store.listByAccount("paged", null, 0));
        assertThrows(IllegalArgumentException.class, () -> store.listByAccount("paged", null, 1001));
    }

    @Test
    void usageBatchesAddUp() {
        String id = randomId();
        store.save(apiKey(id, "acme").build(), 0);
        Instant t1 = Instant.parse("2026-03-01T10:00:00Z");
        Instant t2 = Instant.parse("2026-03-01T11:00:00Z");
        store.addUsage(List.of(new Usage(id, t2, "198.51.100.7", Map.of("ALLOWED", 3L), Set.of("198.51.100.0/24"))));
        store.addUsage(List.of(
                new Usage(id, t1, "203.0.113.9", Map.of("ALLOWED", 2L, "WRONG_SECRET", 1L), Set.of("203.0.113.0/24")),
                new Usage(randomId(), t2, "192.0.2.1", Map.of("ALLOWED", 1L), Set.of())));
        Usage u = store.usage(id).orElseThrow();
        assertEquals(5L, u.counts().get("ALLOWED"));
        assertEquals(1L, u.counts().get("WRONG_SECRET"));
        assertEquals(t2, u.lastUsedAt(), "the latest use wins, whatever the batch order");
        assertEquals("198.51.100.7", u.lastClientAddress());
        assertEquals(Set.of("198.51.100.0/24", "203.0.113.0/24"), u.networks());
    }

    @Test
    void usageNetworksAreBounded() {
        String id = randomId();
        store.save(apiKey(id, "acme").build(), 0);
        for (int batch = 0; batch < 3; batch++) {
            Set<String> nets = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                nets.add("10." + batch + "." + i + ".0/24");
            }
            store.addUsage(List.of(new Usage(id, Instant.EPOCH, null, Map.of("ALLOWED", 1L), nets)));
        }
        Usage u = store.usage(id).orElseThrow();
        assertEquals(Usage.MAX_NETWORKS, u.networks().size());
        assertEquals(3L, u.counts().get("ALLOWED"));
    }

    @Test
    void accountsAreVersionedAndAnnounced() throws Exception {
        String account = "acct-" + randomId();
        assertTrue(store.findAccount(account).isEmpty());
        AccountRecord v1 = store.saveAccount(AccountRecord.active(account).withRateLimit(RateLimitPolicy.of(Limit.perDay(1000))), 0);
        assertEquals(1, v1.version());
        await("account creation event", () -> changes.stream().anyMatch(
                c -> c.kind() == StoreChange.Kind.ACCOUNT && c.id().equals(account) && c.version() == 1));
        Instant at = Instant.parse("2026-02-02T02:02:02Z");
        AccountRecord v2 = store.saveAccount(v1.withSuspendedAt(at).withReportOnly(EnumSet.of(Check.ALLOWLIST, Check.RATE_LIMIT)), 1);
        assertEquals(2, v2.version());
        assertThrows(StoreConflictException.class, () -> store.saveAccount(v1.withSuspendedAt(null), 1));
        assertThrows(StoreConflictException.class, () -> store.saveAccount(AccountRecord.active("acct-" + randomId()), 3));
        AccountRecord read = store.findAccount(account).orElseThrow();
        assertEquals(at, read.suspendedAt());
        assertEquals(RateLimitPolicy.of(Limit.perDay(1000)), read.rateLimit());
        assertEquals(Set.of(Check.ALLOWLIST, Check.RATE_LIMIT), read.reportOnly());
        AccountRecord cleared = store.saveAccount(read.withSuspendedAt(null).withRateLimit(null).withReportOnly(Set.of()), 2);
        AccountRecord back = store.findAccount(account).orElseThrow();
        assertNull(back.suspendedAt());
        assertNull(back.rateLimit());
        assertEquals(Set.of(), back.reportOnly());
        assertEquals(3, cleared.version());
        await("account update event", () -> changes.stream().anyMatch(
                c -> c.kind() == StoreChange.Kind.ACCOUNT && c.id().equals(account) && c.version() == 3));
    }

    @Test
    void concurrentUpdatesLoseNothing() throws Exception {
        String id = randomId();
        store.save(apiKey(id, "acme").build(), 0);
        int threads = 4;
        int each = 25;
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        while (true) {
                            KeyRecord r = store.findById(id).orElseThrow();
                            try {
                                store.save(r.toBuilder().name(Long.toString(r.version())).build(), r.version());
                                break;
                            } catch (StoreConflictException e) {
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        KeyRecord r = store.findById(id).orElseThrow();
        assertEquals(1 + threads * each, r.version(), "every successful save moved the version by one");
        assertEquals(Long.toString(r.version() - 1), r.name());
    }
}
