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
import java.util.OptionalLong;
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

    // --- credits ---

    private static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant FEB = Instant.parse("2026-02-01T00:00:00Z");

    private static String owner() {
        return "credits-" + randomId();
    }

    private static CredentialStore.CreditTake take(String owner) {
        return new CredentialStore.CreditTake(owner, 0, null);
    }

    private long remaining(String owner) {
        return store.credits(owner).orElseThrow().remaining();
    }

    @Test
    void aTakeFromTwoBalancesTakesFromBothAndReportsTheLeastLeft() {
        String key = owner();
        String account = owner();
        store.setCredits(key, new CredentialStore.CreditBalance(10, JAN));
        store.setCredits(account, new CredentialStore.CreditBalance(4, JAN));
        assertEquals(OptionalLong.of(1), store.takeCredits(List.of(take(key), take(account)), 3));
        assertEquals(7, remaining(key));
        assertEquals(1, remaining(account));
        assertEquals(OptionalLong.of(0), store.takeCredits(List.of(take(account)), 1), "a balance may be spent to zero");
    }

    @Test
    void aTakeOneBalanceRefusesLeavesEveryBalanceUnchanged() {
        // Both orders of the list, and both orders of the owners, so a store that works through them in
        // any order has taken from the other balance before it meets the refusal.
        for (boolean refusingFirst : new boolean[] {true, false}) {
            String rich = owner();
            String poor = owner();
            store.setCredits(rich, new CredentialStore.CreditBalance(100, JAN));
            store.setCredits(poor, new CredentialStore.CreditBalance(2, JAN));
            List<CredentialStore.CreditTake> takes = refusingFirst ? List.of(take(poor), take(rich)) : List.of(take(rich), take(poor));
            assertEquals(OptionalLong.empty(), store.takeCredits(takes, 3));
            assertEquals(new CredentialStore.CreditBalance(100, JAN), store.credits(rich).orElseThrow());
            assertEquals(new CredentialStore.CreditBalance(2, JAN), store.credits(poor).orElseThrow());
            assertEquals(OptionalLong.of(0), store.takeCredits(takes, 2), "what the poorer balance can pay is admitted");
            assertEquals(98, remaining(rich));
        }
    }

    @Test
    void aMissingBalanceCountsAsEmpty() {
        String present = owner();
        String missing = owner();
        store.setCredits(present, new CredentialStore.CreditBalance(5, JAN));
        assertEquals(OptionalLong.empty(), store.takeCredits(List.of(take(missing)), 1));
        assertEquals(OptionalLong.empty(), store.takeCredits(List.of(take(present), take(missing)), 1));
        assertEquals(OptionalLong.empty(), store.takeCredits(List.of(new CredentialStore.CreditTake(missing, 50, FEB)), 1),
                "a refill does not create a balance");
        assertEquals(5, remaining(present));
        assertTrue(store.credits(missing).isEmpty());
        assertEquals(OptionalLong.empty(), store.addCredits(missing, 10), "adding to nothing creates nothing");
        assertTrue(store.credits(missing).isEmpty());
    }

    @Test
    void aDueRefillSetsTheBalanceToItsAmountBeforeTheTake() {
        String b = owner();
        store.setCredits(b, new CredentialStore.CreditBalance(0, JAN));
        assertEquals(OptionalLong.of(95), store.takeCredits(List.of(new CredentialStore.CreditTake(b, 100, FEB)), 5));
        assertEquals(new CredentialStore.CreditBalance(95, FEB), store.credits(b).orElseThrow(), "refilled as of the boundary");

        String unused = owner();
        store.setCredits(unused, new CredentialStore.CreditBalance(80, JAN));
        assertEquals(OptionalLong.of(99), store.takeCredits(List.of(new CredentialStore.CreditTake(unused, 100, FEB)), 1),
                "set to the amount, not added to: unused credits do not pile up");
    }

    @Test
    void aRefillThatIsNotDueRefillsNothing() {
        String b = owner();
        store.setCredits(b, new CredentialStore.CreditBalance(7, FEB));
        assertEquals(OptionalLong.of(2), store.takeCredits(List.of(new CredentialStore.CreditTake(b, 100, FEB)), 5),
                "refilled at the boundary already");
        assertEquals(OptionalLong.of(1), store.takeCredits(List.of(new CredentialStore.CreditTake(b, 100, JAN)), 1),
                "an older boundary");
        assertEquals(new CredentialStore.CreditBalance(1, FEB), store.credits(b).orElseThrow());
        assertEquals(OptionalLong.empty(), store.takeCredits(List.of(new CredentialStore.CreditTake(b, 100, FEB)), 2));
    }

    @Test
    void aDueRefillTooSmallForTheCostRefusesAndChangesNothing() {
        String b = owner();
        store.setCredits(b, new CredentialStore.CreditBalance(1, JAN));
        assertEquals(OptionalLong.empty(), store.takeCredits(List.of(new CredentialStore.CreditTake(b, 10, FEB)), 11));
        assertEquals(new CredentialStore.CreditBalance(1, JAN), store.credits(b).orElseThrow(), "not even refilled");
        assertEquals(OptionalLong.of(0), store.takeCredits(List.of(new CredentialStore.CreditTake(b, 10, FEB)), 10));
    }

    @Test
    void aBalanceNamedTwiceIsTakenOnce() {
        String b = owner();
        store.setCredits(b, new CredentialStore.CreditBalance(10, JAN));
        assertEquals(OptionalLong.of(7), store.takeCredits(List.of(take(b), take(b)), 3));
        assertEquals(7, remaining(b));
    }

    @Test
    void takesOfNothingAreRefusedAsErrors() {
        String b = owner();
        store.setCredits(b, new CredentialStore.CreditBalance(10, JAN));
        assertThrows(IllegalArgumentException.class, () -> store.takeCredits(List.of(take(b)), 0));
        assertThrows(IllegalArgumentException.class, () -> store.takeCredits(List.of(take(b)), -1));
        assertThrows(IllegalArgumentException.class, () -> store.takeCredits(List.of(), 1));
        assertThrows(RuntimeException.class, () -> store.takeCredits(null, 1));
        assertEquals(10, remaining(b));
    }

    @Test
    void addingFloorsAtZeroAndCapsAtTheMaximum() {
        String b = owner();
        long max = Limit.Refill.MAX_AMOUNT;
        store.setCredits(b, new CredentialStore.CreditBalance(5, JAN));
        assertEquals(OptionalLong.of(8), store.addCredits(b, 3));
        assertEquals(OptionalLong.of(0), store.addCredits(b, -10));
        assertEquals(OptionalLong.of(0), store.addCredits(b, Long.MIN_VALUE));
        assertEquals(OptionalLong.of(max), store.addCredits(b, max));
        assertEquals(OptionalLong.of(max), store.addCredits(b, 1));
        assertEquals(OptionalLong.of(max), store.addCredits(b, Long.MAX_VALUE));
        assertEquals(OptionalLong.of(max - 1), store.addCredits(b, -1));
        assertEquals(new CredentialStore.CreditBalance(max - 1, JAN), store.credits(b).orElseThrow(),
                "adding is not a refill: the refill time stays");
    }

    @Test
    void settingCreatesReplacesAndNullDeletes() {
        String b = owner();
        store.setCredits(b, new CredentialStore.CreditBalance(3, JAN));
        store.setCredits(b, new CredentialStore.CreditBalance(9, FEB));
        assertEquals(new CredentialStore.CreditBalance(9, FEB), store.credits(b).orElseThrow());
        store.setCredits(b, null);
        assertTrue(store.credits(b).isEmpty());
        assertEquals(OptionalLong.empty(), store.takeCredits(List.of(take(b)), 1), "a deleted balance is empty");
        store.setCredits(b, null);
        assertTrue(store.credits(b).isEmpty(), "deleting twice is harmless");
    }

    /** Runs {@code each} on 8 threads started together; returns what they returned, in no order. */
    private static <T> List<T> onEightThreads(java.util.concurrent.Callable<List<T>> each) throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        try {
            List<Future<List<T>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return each.call();
                }));
            }
            List<T> all = new ArrayList<>();
            for (Future<List<T>> f : futures) {
                all.addAll(f.get(120, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentTakesOfOneEachFromEightThreadsAdmitExactlyTheBalance() throws Exception {
        int n = 200;
        String b = owner();
        store.setCredits(b, new CredentialStore.CreditBalance(n, JAN));
        List<Boolean> outcomes = onEightThreads(() -> {
            List<Boolean> mine = new ArrayList<>();
            for (int i = 0; i < n / 4; i++) {
                mine.add(store.takeCredits(List.of(take(b)), 1).isPresent());
            }
            return mine;
        });
        assertEquals(2 * n, outcomes.size());
        assertEquals(n, outcomes.stream().filter(x -> x).count(), "exactly the balance admitted, twice as many asked");
        assertEquals(0, remaining(b));
    }

    @Test
    void concurrentTakesOfRandomCostsNeverSpendMoreThanTheBalanceNorRefuseWhatItCouldPay() throws Exception {
        int n = 300;
        String b = owner();
        store.setCredits(b, new CredentialStore.CreditBalance(n, JAN));
        // {cost, admitted ? 1 : 0}
        List<long[]> outcomes = onEightThreads(() -> {
            List<long[]> mine = new ArrayList<>();
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            for (int i = 0; i < 40; i++) {
                long cost = 1 + random.nextInt(5);
                mine.add(new long[] {cost, store.takeCredits(List.of(take(b)), cost).isPresent() ? 1 : 0});
            }
            return mine;
        });
        long admitted = outcomes.stream().filter(o -> o[1] == 1).mapToLong(o -> o[0]).sum();
        long left = remaining(b);
        assertTrue(admitted <= n, "admitted " + admitted + " of " + n);
        assertEquals(n - admitted, left, "every admitted cost was taken, once");
        // Without a refill a balance only shrinks: a take refused when it had less than its cost
        // leaves at most that much at the end.
        outcomes.stream().filter(o -> o[1] == 0).forEach(o -> assertTrue(left < o[0],
                "refused a cost of " + o[0] + " yet " + left + " is left at the end"));
    }

    @Test
    void concurrentTakesNamingTwoBalancesInEitherOrderAdmitWhatTheSmallerHolds() throws Exception {
        int n = 120;
        String small = owner();
        String large = owner();
        store.setCredits(small, new CredentialStore.CreditBalance(n, JAN));
        store.setCredits(large, new CredentialStore.CreditBalance(10 * n, JAN));
        AtomicInteger turn = new AtomicInteger();
        List<Boolean> outcomes = onEightThreads(() -> {
            // Half the threads name them one way round, half the other: a store that locked in list order could deadlock.
            List<CredentialStore.CreditTake> takes = turn.getAndIncrement() % 2 == 0
                    ? List.of(take(small), take(large)) : List.of(take(large), take(small));
            List<Boolean> mine = new ArrayList<>();
            for (int i = 0; i < n / 4; i++) {
                mine.add(store.takeCredits(takes, 1).isPresent());
            }
            return mine;
        });
        assertEquals(n, outcomes.stream().filter(x -> x).count());
        assertEquals(0, remaining(small));
        assertEquals(9 * n, remaining(large), "the larger balance lost exactly what was admitted");
    }

    @Test
    void creditFieldsOfRecordsAndAccountsReadBack() {
        List<Limit.Refill> refills = List.of(Limit.Refill.daily(500), Limit.Refill.monthly(1_000, 31),
                Limit.Refill.every(20, "P1M"), Limit.Refill.every(7, "PT6H"), Limit.Refill.monthly(Limit.Refill.MAX_AMOUNT, 1));
        for (Limit.Refill refill : refills) {
            String id = randomId();
            String balance = "key:" + id;
            store.save(apiKey(id, "acme").creditBalance(balance).refill(refill).build(), 0);
            KeyRecord read = store.findById(id).orElseThrow();
            assertEquals(balance, read.creditBalance());
            assertEquals(refill, read.refill());
        }
        String without = randomId();
        KeyRecord v1 = store.save(apiKey(without, "acme").creditBalance("key:" + without).build(), 0);
        assertEquals("key:" + without, store.findById(without).orElseThrow().creditBalance());
        assertNull(store.findById(without).orElseThrow().refill(), "credits without a refill");
        store.save(v1.toBuilder().creditBalance(null).build(), 1);
        assertNull(store.findById(without).orElseThrow().creditBalance(), "back to unlimited");
        assertNull(store.findById(store.save(apiKey(randomId(), "acme").build(), 0).id()).orElseThrow().creditBalance());

        String account = "acct-" + randomId();
        AccountRecord a1 = store.saveAccount(AccountRecord.active(account).withCredits("account:" + account, Limit.Refill.monthly(500, 1)), 0);
        assertEquals("account:" + account, a1.creditBalance());
        AccountRecord read = store.findAccount(account).orElseThrow();
        assertEquals("account:" + account, read.creditBalance());
        assertEquals(Limit.Refill.monthly(500, 1), read.refill());
        AccountRecord suspended = store.saveAccount(read.withSuspendedAt(FEB), 1);
        assertEquals(Limit.Refill.monthly(500, 1), store.findAccount(account).orElseThrow().refill(),
                "an unrelated change keeps the credits");
        store.saveAccount(suspended.withCredits(null, null), 2);
        assertNull(store.findAccount(account).orElseThrow().creditBalance());
        assertNull(store.findAccount(account).orElseThrow().refill());
    }
}
