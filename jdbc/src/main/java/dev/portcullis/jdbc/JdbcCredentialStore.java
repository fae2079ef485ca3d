package dev.portcullis.jdbc;

import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.Limit;
import dev.portcullis.spi.AccountRecord;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.KeyRecord;
import dev.portcullis.spi.Page;
import dev.portcullis.spi.StoreChange;
import dev.portcullis.spi.StoreConflictException;
import dev.portcullis.spi.StoreException;
import dev.portcullis.spi.Usage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * A {@link CredentialStore} on plain JDBC, for H2 (embedded, one process) and PostgreSQL (a fleet
 * of nodes sharing one database).
 *
 * <pre>{@code
 * JdbcCredentialStore store = JdbcCredentialStore.builder(pool)   // a connection pool, e.g. HikariCP
 *         .build();                                 // migrates the schema (Flyway)
 * Portcullis portcullis = Portcullis.builder().store(store).build();
 * }</pre>
 *
 * <ul>
 *   <li><b>Schema</b>: created and migrated by Flyway at {@link Builder#build()}, in the data source's
 *       default schema, with its own history table ({@code <prefix>schema_history}).
 *   <li><b>Writes</b> are optimistic: a save names the version it read, and a stale one fails with
 *       {@link StoreConflictException}; nothing is silently overwritten.
 *   <li><b>Change feed</b>: every write records a sequence number. This store's own writes are
 *       announced to {@link #subscribe subscribers} on the writing thread, before the write returns.
 *       On PostgreSQL every write also sends a {@code NOTIFY} in its transaction, and one daemon
 *       thread per store {@code LISTEN}s on a dedicated connection and announces other nodes' changes
 *       the moment they commit (milliseconds; see {@code docs/integration-jdbc.md}). One more daemon
 *       thread polls for new sequence numbers every {@link Builder#pollInterval poll interval}: the
 *       backstop that bounds the delay at about one interval when a notice is lost (the listening
 *       connection was down; it polls at once when it is back). H2 (one process) has no push.
 *   <li><b>Pooling</b>: give it a connection pool. A plain data source opens a connection per cache
 *       miss (an H2 file: hundreds of times slower); {@link Builder#build()} logs a warning when it
 *       recognises one.
 *   <li><b>Credits</b> are never cached: every {@link #takeCredits take} is one short transaction of
 *       conditional UPDATEs, exact across a fleet (see {@code docs/integration-jdbc.md}, "Credits").
 *   <li><b>Deadlines</b>: lookups ({@link #findById}, {@link #findByUsername}, {@link #findAccount})
 *       and credit takes run with the {@link Builder#lookupTimeout lookup timeout} as query timeout; the wait for a
 *       connection is the pool's (e.g. HikariCP {@code connectionTimeout}): keep it short, see
 *       {@code docs/integration-jdbc.md}. A call that cannot answer throws {@link StoreException}.
 * </ul>
 *
 * Thread-safe. {@link #close()} stops the feed and the listener; it does not close the data
 * source, which stays the caller's.
 */
public final class JdbcCredentialStore implements CredentialStore, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JdbcCredentialStore.class.getName());
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final String CREDENTIAL_COLUMNS = "id, account, name, kind, key_prefix, username, secret_hash,"
            + " password_profile, grants, allowlist, rate_limit, channels, created_at, expires_at, lifetime, revoked_at, version,"
            + " replaced_by, changed_at, changed_by, change_reason, report_only, credit_balance, refill";
    /** The longest balance owner the credits table holds. */
    private static final int MAX_OWNER = 512;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Tables t;
    private final int lookupSeconds;
    private final int statementSeconds;
    private final Duration pollInterval;
    private final ChangeFeed feed;
    /** Sends a NOTIFY with every write (PostgreSQL, push on). */
    private final boolean notify;
    /** This instance, in its notices: a node ignores its own (it announced them when it wrote). */
    private final String origin = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    private volatile ChangePush push;
    private volatile boolean closed;

    private JdbcCredentialStore(Builder b, Dialect dialect) {
        this.dataSource = b.dataSource;
        this.dialect = dialect;
        this.t = new Tables(b.tablePrefix);
        this.lookupSeconds = seconds(b.lookupTimeout);
        this.statementSeconds = seconds(b.statementTimeout);
        this.pollInterval = b.pollInterval;
        this.feed = new ChangeFeed(dataSource, t, statementSeconds, b.pollInterval, b.feedLookback, b.feedRetention);
        this.notify = dialect == Dialect.POSTGRESQL && b.push;
    }

    /** JDBC query timeouts are whole seconds: round up, never to zero (which means "no limit"). */
    private static int seconds(Duration d) {
        long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, s));
    }

    /** A store with the defaults (table prefix {@code portcullis_}, poll interval 1 s); migrates the schema. */
    public static JdbcCredentialStore create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /**
     * Time since this store's change feed last caught up with the database: stays below about
     * {@code pollInterval} plus one query while the database answers, and grows while it does not.
     * Without a push, changes made on other nodes reach this one's subscribers at most this much
     * (plus one interval) late; for a health check, alarm at a few intervals. Read by
     * {@code Portcullis.health()} and the change-feed-lag metric.
     */
    @Override
    public Duration changeFeedLag() {
        return feed.lag();
    }

    /** How often the change feed polls: the revocation bound between nodes while no push arrives. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /**
     * Whether this store is listening for other nodes' changes now (PostgreSQL with push on, and its
     * listening connection up). {@code false} on H2, with push off, and while the listener
     * reconnects: changes then arrive by the poll, within {@link #pollInterval()}.
     */
    public boolean pushConnected() {
        ChangePush p = push;
        return p != null && p.connected();
    }

    /** The backend process of the listening connection, 0 if none; for tests. */
    int listenerBackendPid() {
        return push instanceof PgListener l ? l.backendPid() : 0;
    }

    // --- lookups (request path: the lookup timeout) ---

    @Override
    public Optional<KeyRecord> findById(String id) {
        Objects.requireNonNull(id, "id");
        return read("findById", c -> findCredential(c, "id", id));
    }

    @Override
    public Optional<KeyRecord> findByUsername(String username) {
        Objects.requireNonNull(username, "username");
        return read("findByUsername", c -> findCredential(c, "username", username));
    }

    private Optional<KeyRecord> findCredential(Connection c, String column, String value) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, "SELECT " + CREDENTIAL_COLUMNS + " FROM " + t.credential()
                + " WHERE " + column + " = ?", lookupSeconds)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(credential(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public Optional<AccountRecord> findAccount(String account) {
        Objects.requireNonNull(account, "account");
        return read("findAccount", c -> {
            try (PreparedStatement ps = Sql.prepare(c, "SELECT account, suspended_at, rate_limit, report_only, credit_balance, refill,"
                    + " version FROM "
                    + t.account() + " WHERE account = ?", lookupSeconds)) {
                ps.setString(1, account);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new AccountRecord(rs.getString("account"), Columns.getInstant(rs, "suspended_at"),
                            Columns.rateLimit(rs.getString("rate_limit")), Columns.checks(rs.getString("report_only")),
                            rs.getString("credit_balance"), Columns.refill(rs.getString("refill")), rs.getLong("version")));
                }
            }
        });
    }

    private static KeyRecord credential(ResultSet rs) throws SQLException {
        return KeyRecord.builder()
                .id(rs.getString("id"))
                .account(rs.getString("account"))
                .name(rs.getString("name"))
                .kind(CredentialKind.valueOf(rs.getString("kind")))
                .prefix(rs.getString("key_prefix"))
                .username(rs.getString("username"))
                .secretHash(rs.getString("secret_hash"))
                .passwordProfile(rs.getString("password_profile"))
                .grants(Columns.grants(rs.getString("grants")))
                .allowlist(Columns.allowlist(rs.getString("allowlist")))
                .rateLimit(Columns.rateLimit(rs.getString("rate_limit")))
                .channels(Columns.channels(rs.getString("channels")))
                .createdAt(Columns.getInstant(rs, "created_at"))
                .expiresAt(Columns.getInstant(rs, "expires_at"))
                .lifetime(Columns.duration(rs.getString("lifetime")))
                .revokedAt(Columns.getInstant(rs, "revoked_at"))
                .replacedBy(rs.getString("replaced_by"))
                .changedAt(Columns.getInstant(rs, "changed_at"))
                .changedBy(rs.getString("changed_by"))
                .changeReason(rs.getString("change_reason"))
                .reportOnly(Columns.checks(rs.getString("report_only")))
                .creditBalance(rs.getString("credit_balance"))
                .refill(Columns.refill(rs.getString("refill")))
                .version(rs.getLong("version"))
                .build();
    }

    // --- management reads (the statement timeout) ---

    @Override
    public Page<KeyRecord> listByAccount(String account, String cursor, int limit) {
        Objects.requireNonNull(account, "account");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1 to 1000, got " + limit);
        }
        return read("listByAccount", c -> {
            // One more than asked for tells whether there is a next page.
            try (PreparedStatement ps = Sql.prepare(c, "SELECT " + CREDENTIAL_COLUMNS + " FROM " + t.credential()
                    + " WHERE account = ? AND id > ? ORDER BY id FETCH FIRST " + (limit + 1) + " ROWS ONLY",
                    statementSeconds)) {
                ps.setString(1, account);
                ps.setString(2, cursor == null ? "" : cursor);
                List<KeyRecord> items = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(credential(rs));
                    }
                }
                if (items.size() <= limit) {
                    return new Page<>(items, null);
                }
                List<KeyRecord> page = items.subList(0, limit);
                return new Page<>(page, page.get(limit - 1).id());
            }
        });
    }

    @Override
    public Optional<Usage> usage(String keyId) {
        Objects.requireNonNull(keyId, "keyId");
        return read("usage", c -> {
            try (PreparedStatement ps = Sql.prepare(c, "SELECT item, n, last_at, address FROM " + t.usage()
                    + " WHERE key_id = ?", statementSeconds)) {
                ps.setString(1, keyId);
                boolean any = false;
                Instant last = null;
                String address = null;
                Map<String, Long> counts = new HashMap<>();
                Set<String> networks = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        any = true;
                        String item = rs.getString("item");
                        if (item.equals(LAST)) {
                            last = Columns.getInstant(rs, "last_at");
                            address = rs.getString("address");
                        } else if (item.startsWith(COUNT)) {
                            counts.put(item.substring(COUNT.length()), rs.getLong("n"));
                        } else if (item.startsWith(NETWORK)) {
                            networks.add(item.substring(NETWORK.length()));
                        }
                    }
                }
                return any ? Optional.of(new Usage(keyId, last, address, counts, networks)) : Optional.empty();
            }
        });
    }

    // --- writes ---

    @Override
    public KeyRecord save(KeyRecord record, long expectedVersion) {
        Objects.requireNonNull(record, "record");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion must be >= 0");
        }
        KeyRecord saved = asStored(record, expectedVersion + 1);
        if (saved.username() != null && saved.username().indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a username must not contain a line break");
        }
        String id = saved.id();
        owner(saved.creditBalance());
        Row row = new Row(saved); // encoded first: a value the columns cannot hold fails before any SQL
        return write("save", usernameTaken -> usernameTaken ? "username is already taken"
                : expectedVersion == 0 ? "record " + id + " already exists" : "record " + id + " changed concurrently",
                (c, claim) -> {
                    Set<String> usernames = new LinkedHashSet<>();
                    try (PreparedStatement ps = Sql.prepare(c, "SELECT version, username FROM " + t.credential()
                            + " WHERE id = ? FOR UPDATE", statementSeconds)) {
                        ps.setString(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) {
                                checkVersion("record " + id, rs.getLong(1), expectedVersion);
                                String old = rs.getString(2);
                                if (old != null) {
                                    usernames.add(old);
                                }
                            } else if (expectedVersion != 0) {
                                throw new StoreConflictException("record " + id + " does not exist");
                            }
                        }
                    }
                    if (saved.username() != null) {
                        usernames.add(saved.username());
                    }
                    long seq = claim.next(c);
                    writeCredential(c, row, expectedVersion, seq);
                    StoreChange change = StoreChange.credential(id, saved.version(), usernames);
                    recordChange(c, seq, change);
                    return new Written<>(saved, seq, change);
                });
    }

    /** A record and its list columns, encoded. */
    private record Row(KeyRecord r, String grants, String allowlist, String channels) {
        Row(KeyRecord r) {
            this(r, Columns.grants(r.grants()), Columns.allowlist(r.allowlist()), Columns.channels(r.channels()));
        }
    }

    private void writeCredential(Connection c, Row row, long expectedVersion, long seq) throws SQLException {
        KeyRecord r = row.r();
        String sql = expectedVersion == 0
                ? "INSERT INTO " + t.credential() + " (name, kind, key_prefix, username, secret_hash, password_profile,"
                        + " grants, allowlist, rate_limit, channels, created_at, expires_at, lifetime, revoked_at, version,"
                        + " replaced_by, changed_at, changed_by, change_reason, report_only, credit_balance, refill,"
                        + " change_seq, account, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                : "UPDATE " + t.credential() + " SET name = ?, kind = ?, key_prefix = ?, username = ?, secret_hash = ?,"
                        + " password_profile = ?, grants = ?, allowlist = ?, rate_limit = ?, channels = ?, created_at = ?,"
                        + " expires_at = ?, lifetime = ?, revoked_at = ?, version = ?,"
                        + " replaced_by = ?, changed_at = ?, changed_by = ?, change_reason = ?, report_only = ?,"
                        + " credit_balance = ?, refill = ?, change_seq = ?, account = ?"
                        + " WHERE id = ? AND version = ?";
        try (PreparedStatement ps = Sql.prepare(c, sql, statementSeconds)) {
            int i = 0;
            ps.setString(++i, r.name());
            ps.setString(++i, r.kind().name());
            ps.setString(++i, r.prefix());
            ps.setString(++i, r.username());
            ps.setString(++i, r.secretHash());
            ps.setString(++i, r.passwordProfile());
            ps.setString(++i, row.grants());
            ps.setString(++i, row.allowlist());
            ps.setString(++i, Columns.rateLimit(r.rateLimit()));
            ps.setString(++i, row.channels());
            Columns.setInstant(ps, ++i, r.createdAt());
            Columns.setInstant(ps, ++i, r.expiresAt());
            ps.setString(++i, Columns.duration(r.lifetime()));
            Columns.setInstant(ps, ++i, r.revokedAt());
            ps.setLong(++i, r.version());
            ps.setString(++i, r.replacedBy());
            Columns.setInstant(ps, ++i, r.changedAt());
            ps.setString(++i, r.changedBy());
            ps.setString(++i, r.changeReason());
            ps.setString(++i, Columns.checks(r.reportOnly()));
            ps.setString(++i, r.creditBalance());
            ps.setString(++i, Columns.refill(r.refill()));
            ps.setLong(++i, seq);
            ps.setString(++i, r.account());
            ps.setString(++i, r.id());
            if (expectedVersion != 0) {
                ps.setLong(++i, expectedVersion);
            }
            if (ps.executeUpdate() != 1) {
                throw new StoreConflictException("record " + r.id() + " changed concurrently");
            }
        }
    }

    @Override
    public AccountRecord saveAccount(AccountRecord account, long expectedVersion) {
        Objects.requireNonNull(account, "account");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion must be >= 0");
        }
        owner(account.creditBalance());
        AccountRecord saved = new AccountRecord(account.account(), Columns.stored(account.suspendedAt()),
                account.rateLimit(), account.reportOnly(), account.creditBalance(), account.refill(), expectedVersion + 1);
        String name = saved.account();
        return write("saveAccount", usernameTaken -> "account " + name + " changed concurrently", (c, claim) -> {
            try (PreparedStatement ps = Sql.prepare(c, "SELECT version FROM " + t.account() + " WHERE account = ? FOR UPDATE",
                    statementSeconds)) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    checkVersion("account " + name, rs.next() ? rs.getLong(1) : 0, expectedVersion);
                }
            }
            long seq = claim.next(c);
            String sql = expectedVersion == 0
                    ? "INSERT INTO " + t.account() + " (suspended_at, rate_limit, report_only, credit_balance, refill, version,"
                            + " change_seq, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    : "UPDATE " + t.account() + " SET suspended_at = ?, rate_limit = ?, report_only = ?, credit_balance = ?,"
                            + " refill = ?, version = ?, change_seq = ? WHERE account = ? AND version = ?";
            try (PreparedStatement ps = Sql.prepare(c, sql, statementSeconds)) {
                Columns.setInstant(ps, 1, saved.suspendedAt());
                ps.setString(2, Columns.rateLimit(saved.rateLimit()));
                ps.setString(3, Columns.checks(saved.reportOnly()));
                ps.setString(4, saved.creditBalance());
                ps.setString(5, Columns.refill(saved.refill()));
                ps.setLong(6, saved.version());
                ps.setLong(7, seq);
                ps.setString(8, name);
                if (expectedVersion != 0) {
                    ps.setLong(9, expectedVersion);
                }
                if (ps.executeUpdate() != 1) {
                    throw new StoreConflictException("account " + name + " changed concurrently");
                }
            }
            StoreChange change = StoreChange.account(name, saved.version());
            recordChange(c, seq, change);
            return new Written<>(saved, seq, change);
        });
    }

    private static void checkVersion(String what, long current, long expected) {
        if (current != expected) {
            throw new StoreConflictException(expected == 0 ? what + " already exists"
                    : current == 0 ? what + " does not exist" : what + " is at version " + current + ", not " + expected);
        }
    }

    /** The record as a read will return it: the new version, instants at the stored precision. */
    private static KeyRecord asStored(KeyRecord r, long version) {
        return r.toBuilder()
                .version(version)
                .createdAt(Columns.stored(r.createdAt()))
                .expiresAt(Columns.stored(r.expiresAt()))
                .revokedAt(Columns.stored(r.revokedAt()))
                .changedAt(Columns.stored(r.changedAt()))
                .build();
    }

    private void recordChange(Connection c, long seq, StoreChange change) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, "INSERT INTO " + t.change()
                + " (seq, kind, ref, version, usernames, recorded_at) VALUES (?, ?, ?, ?, ?, ?)", statementSeconds)) {
            ps.setLong(1, seq);
            ps.setString(2, change.kind().name());
            ps.setString(3, change.id());
            ps.setLong(4, change.version());
            ps.setString(5, Columns.usernames(change.usernames()));
            Columns.setInstant(ps, 6, Instant.now());
            ps.executeUpdate();
        }
        if (notify) {
            // Queued in this transaction: PostgreSQL delivers it at commit, and never for a rollback.
            try (PreparedStatement ps = Sql.prepare(c, "SELECT pg_notify(?, ?)", statementSeconds)) {
                ps.setString(1, t.channel());
                ps.setString(2, PushNotice.payload(origin, seq, change));
                ps.executeQuery().close();
            }
        }
    }

    private static final String LAST = "last";
    private static final String COUNT = "count:";
    private static final String NETWORK = "net:";

    private record Item(String keyId, String item, long n, Instant at, String address, boolean network) {}

    /**
     * One batched upsert per flush, in one transaction: each row adds to the stored one. Rows are
     * written per key, its {@code last} row first: that row's lock makes concurrent flushes for a
     * key (from other nodes) take turns, and the key order rules out deadlocks between them.
     */
    @Override
    public void addUsage(Collection<Usage> batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.isEmpty()) {
            return;
        }
        List<Item> items = new ArrayList<>();
        for (Usage u : batch) {
            items.add(new Item(u.keyId(), LAST, 0, u.lastUsedAt(), u.lastClientAddress(), false));
            u.counts().forEach((outcome, n) -> items.add(new Item(u.keyId(), COUNT + outcome, n, null, null, false)));
            u.networks().forEach(net -> items.add(new Item(u.keyId(), NETWORK + net, 0, null, null, true)));
        }
        items.sort(Comparator.comparing(Item::keyId)
                .thenComparing(i -> !i.item().equals(LAST))
                .thenComparing(Item::item));
        String sql = dialect.usageUpsert(t.usage(), t.credential());
        ensureOpen();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                Sql.inTransaction(c, tx -> {
                    try (PreparedStatement ps = Sql.prepare(tx, sql, statementSeconds)) {
                        for (Item i : items) {
                            ps.setString(1, i.item());
                            ps.setLong(2, i.n());
                            Columns.setInstant(ps, 3, i.at());
                            ps.setString(4, i.address());
                            ps.setString(5, i.keyId());
                            ps.setBoolean(6, i.network());
                            ps.setInt(7, Usage.MAX_NETWORKS);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    return null;
                });
                return;
            } catch (SQLException e) {
                // Two first flushes of one key can both try to insert its rows; the loser retries.
                if (attempt < 3 && (Sql.isUniqueViolation(e) || Sql.isLockConflict(dialect, e))) {
                    continue;
                }
                throw Sql.failure("addUsage", e);
            }
        }
    }

    // --- credits: never cached, so no change is recorded; every take is a statement on the database ---

    /**
     * One transaction on the request path (the lookup timeout). Per balance, in owner order (two takes
     * of the same balances lock their rows in the same order, so they cannot deadlock), one conditional
     * UPDATE that refills a due balance and takes {@code cost} only if what the balance then holds
     * covers it. The database checks that condition on the row it has locked (PostgreSQL re-checks it
     * on the newest version after waiting for a concurrent take), so there is no read-modify-write and
     * no node can spend what another already took. A balance that cannot pay rolls back the takes
     * before it. A lost lock race (H2) is retried twice; nothing was taken by the attempt that lost.
     */
    @Override
    public OptionalLong takeCredits(List<CreditTake> takes, long cost) {
        Objects.requireNonNull(takes, "takes");
        if (cost < 1 || takes.isEmpty()) {
            throw new IllegalArgumentException("a take is of at least 1 from at least one balance");
        }
        // A balance named twice is one balance: it is taken from once.
        TreeMap<String, CreditTake> byOwner = new TreeMap<>();
        for (CreditTake take : takes) {
            byOwner.putIfAbsent(Objects.requireNonNull(take, "take").owner(), take);
        }
        ensureOpen();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                return Sql.inTransaction(c, tx -> takeAll(tx, byOwner.values(), cost));
            } catch (SQLException e) {
                if (attempt < 3 && Sql.isLockConflict(dialect, e)) {
                    continue;
                }
                throw Sql.failure("takeCredits", e);
            }
        }
    }

    private OptionalLong takeAll(Connection c, Collection<CreditTake> takes, long cost) throws SQLException {
        String plain = "UPDATE " + t.credits() + " SET remaining = remaining - ? WHERE owner = ? AND remaining >= ?";
        String due = "refilled_at < CAST(? AS TIMESTAMP(6) WITH TIME ZONE)";
        String refilling = "UPDATE " + t.credits() + " SET"
                + " remaining = CASE WHEN " + due + " THEN CAST(? AS BIGINT) ELSE remaining END - ?,"
                // Set after remaining, whose CASE reads the old refilled_at whichever way the database orders a SET.
                + " refilled_at = CASE WHEN " + due + " THEN CAST(? AS TIMESTAMP(6) WITH TIME ZONE) ELSE refilled_at END"
                + " WHERE owner = ? AND CASE WHEN " + due + " THEN CAST(? AS BIGINT) ELSE remaining END >= ?";
        for (CreditTake take : takes) {
            int taken;
            if (take.boundary() == null) {
                try (PreparedStatement ps = Sql.prepare(c, plain, lookupSeconds)) {
                    ps.setLong(1, cost);
                    ps.setString(2, take.owner());
                    ps.setLong(3, cost);
                    taken = ps.executeUpdate();
                }
            } else {
                try (PreparedStatement ps = Sql.prepare(c, refilling, lookupSeconds)) {
                    int i = 0;
                    Columns.setInstant(ps, ++i, take.boundary());
                    ps.setLong(++i, take.refillAmount());
                    ps.setLong(++i, cost);
                    Columns.setInstant(ps, ++i, take.boundary());
                    Columns.setInstant(ps, ++i, take.boundary());
                    ps.setString(++i, take.owner());
                    Columns.setInstant(ps, ++i, take.boundary());
                    ps.setLong(++i, take.refillAmount());
                    ps.setLong(++i, cost);
                    taken = ps.executeUpdate();
                }
            }
            if (taken == 0) {
                // Missing, or short of cost: undo the takes before it (the commit that follows ends an empty transaction).
                c.rollback();
                return OptionalLong.empty();
            }
        }
        // The rows are ours until the commit: this reads what the takes left.
        String marks = String.join(", ", java.util.Collections.nCopies(takes.size(), "?"));
        try (PreparedStatement ps = Sql.prepare(c, "SELECT MIN(remaining) FROM " + t.credits() + " WHERE owner IN (" + marks + ")",
                lookupSeconds)) {
            int i = 0;
            for (CreditTake take : takes) {
                ps.setString(++i, take.owner());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return OptionalLong.of(rs.getLong(1));
            }
        }
    }

    @Override
    public Optional<CreditBalance> credits(String owner) {
        Objects.requireNonNull(owner, "owner");
        return read("credits", c -> {
            try (PreparedStatement ps = Sql.prepare(c, "SELECT remaining, refilled_at FROM " + t.credits() + " WHERE owner = ?",
                    lookupSeconds)) {
                ps.setString(1, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new CreditBalance(rs.getLong(1), Columns.getInstant(rs, "refilled_at")))
                            : Optional.empty();
                }
            }
        });
    }

    /** One upsert (PostgreSQL {@code INSERT … ON CONFLICT}, H2 {@code MERGE}), or one delete. */
    @Override
    public void setCredits(String owner, CreditBalance balance) {
        owner(Objects.requireNonNull(owner, "owner"));
        ensureOpen();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                if (balance == null) {
                    try (PreparedStatement ps = Sql.prepare(c, "DELETE FROM " + t.credits() + " WHERE owner = ?", statementSeconds)) {
                        ps.setString(1, owner);
                        ps.executeUpdate();
                    }
                } else {
                    try (PreparedStatement ps = Sql.prepare(c, dialect.creditsUpsert(t.credits()), statementSeconds)) {
                        ps.setString(1, owner);
                        ps.setLong(2, balance.remaining());
                        Columns.setInstant(ps, 3, balance.refilledAt());
                        ps.executeUpdate();
                    }
                }
                return;
            } catch (SQLException e) {
                // Two first sets of one balance can both try to insert it (H2's MERGE); the loser retries.
                if (attempt < 3 && (Sql.isUniqueViolation(e) || Sql.isLockConflict(dialect, e))) {
                    continue;
                }
                throw Sql.failure("setCredits", e);
            }
        }
    }

    /**
     * One conditional UPDATE, then a read of the row it still holds locked. The delta is first bounded
     * to ±{@link Limit.Refill#MAX_AMOUNT}, so no sum overflows: a balance above {@code MAX - delta}
     * becomes the cap, any other {@code max(0, remaining + delta)}.
     */
    @Override
    public OptionalLong addCredits(CreditTake balance, long delta) {
        Objects.requireNonNull(balance, "balance");
        String owner = balance.owner();
        long max = Limit.Refill.MAX_AMOUNT;
        long d = Math.max(-max, Math.min(max, delta));
        // A refill already due is applied first, in the same statement: a top-up after a boundary is
        // added to the refilled balance, not lost at the next take.
        String due = "refilled_at < CAST(? AS TIMESTAMP(6) WITH TIME ZONE)";
        String base = balance.boundary() == null ? "remaining"
                : "CASE WHEN " + due + " THEN CAST(? AS BIGINT) ELSE remaining END";
        String sql = "UPDATE " + t.credits() + " SET remaining = CASE WHEN " + base + " > ? THEN ? ELSE GREATEST(0, " + base + " + ?) END"
                + (balance.boundary() == null ? ""
                        : ", refilled_at = CASE WHEN " + due + " THEN CAST(? AS TIMESTAMP(6) WITH TIME ZONE) ELSE refilled_at END")
                + " WHERE owner = ?";
        ensureOpen();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                return Sql.inTransaction(c, tx -> {
                    try (PreparedStatement ps = Sql.prepare(tx, sql, statementSeconds)) {
                        int i = 0;
                        i = base(ps, i, balance);
                        ps.setLong(++i, max - d);
                        ps.setLong(++i, max);
                        i = base(ps, i, balance);
                        ps.setLong(++i, d);
                        if (balance.boundary() != null) {
                            Columns.setInstant(ps, ++i, balance.boundary());
                            Columns.setInstant(ps, ++i, balance.boundary());
                        }
                        ps.setString(++i, owner);
                        if (ps.executeUpdate() == 0) {
                            return OptionalLong.empty();
                        }
                    }
                    try (PreparedStatement ps = Sql.prepare(tx, "SELECT remaining FROM " + t.credits() + " WHERE owner = ?",
                            statementSeconds)) {
                        ps.setString(1, owner);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return OptionalLong.of(rs.getLong(1));
                        }
                    }
                });
            } catch (SQLException e) {
                if (attempt < 3 && Sql.isLockConflict(dialect, e)) {
                    continue;
                }
                throw Sql.failure("addCredits", e);
            }
        }
    }

    /** Binds the parameters of the balance expression of {@link #addCredits(CreditTake, long)}: none, or boundary and amount. */
    private static int base(PreparedStatement ps, int i, CreditTake balance) throws SQLException {
        if (balance.boundary() != null) {
            Columns.setInstant(ps, ++i, balance.boundary());
            ps.setLong(++i, balance.refillAmount());
        }
        return i;
    }

    /** A balance owner the credits table can hold: it fails here, before any SQL, rather than as a database error. */
    private static void owner(String owner) {
        if (owner != null && (owner.isEmpty() || owner.length() > MAX_OWNER)) {
            throw new IllegalArgumentException("a credit balance owner is 1 to " + MAX_OWNER + " characters");
        }
    }

    // --- feed ---

    @Override
    public AutoCloseable subscribe(Consumer<StoreChange> listener) {
        Objects.requireNonNull(listener, "listener");
        ensureOpen();
        return feed.subscribe(listener);
    }

    @Override
    public boolean hasChangeFeed() {
        return true;
    }

    /** Polls the change feed now, on the calling thread; for tests. */
    void pollNow() {
        try {
            feed.poll();
        } catch (SQLException e) {
            throw Sql.failure("poll", e);
        }
    }

    /** Whether a pushed notice of change {@code seq} would be taken for this store's own; for tests. */
    boolean isOwnChange(long seq) {
        return feed.isLocal(seq);
    }

    /** Prunes the change table now; for tests. */
    void pruneNow() {
        try {
            feed.pruneNow();
        } catch (SQLException e) {
            throw Sql.failure("prune", e);
        }
    }

    /**
     * Stops the change feed's listener (giving its connection back) and its poller. Idempotent;
     * later calls on the store throw {@link IllegalStateException}.
     */
    @Override
    public void close() {
        closed = true;
        ChangePush p = push;
        if (p != null) {
            p.close(Duration.ofSeconds(statementSeconds + 5L));
        }
        feed.close();
    }

    @Override
    public String toString() {
        return "JdbcCredentialStore[" + dialect.folder + ", " + t.prefix() + "]";
    }

    // --- plumbing ---

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this JdbcCredentialStore is closed");
        }
    }

    private <T> T read(String what, Sql.Work<T> work) {
        ensureOpen();
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw Sql.failure(what, e);
        }
    }

    /** Takes this write's sequence number and registers it with the feed before the commit. */
    @FunctionalInterface
    private interface Claim {
        long next(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface WriteWork<T> {
        Written<T> run(Connection c, Claim claim) throws SQLException;
    }

    private record Written<T>(T value, long seq, StoreChange change) {}

    /** The message of a conflict the database reported: a unique key (the username's, or not) or a lost lock race. */
    @FunctionalInterface
    private interface ConflictMessage {
        String of(boolean usernameTaken);
    }

    /**
     * One write transaction. A unique-key or lock conflict becomes {@link StoreConflictException};
     * after the commit the change is announced to this store's subscribers.
     */
    private <T> T write(String what, ConflictMessage conflictMessage, WriteWork<T> work) {
        ensureOpen();
        long[] claimed = {0};
        Claim claim = c -> {
            long seq;
            try (PreparedStatement ps = Sql.prepare(c, dialect.nextSequenceValue(t.changeSequence()), statementSeconds);
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getLong(1);
            }
            feed.claim(seq);
            claimed[0] = seq;
            return seq;
        };
        Written<T> w;
        try (Connection c = dataSource.getConnection()) {
            w = Sql.inTransaction(c, tx -> work.run(tx, claim));
        } catch (SQLException e) {
            abandon(claimed[0]);
            if (Sql.isUniqueViolation(e) || Sql.isLockConflict(dialect, e)) {
                boolean username = Sql.isUniqueViolation(e) && String.valueOf(e.getMessage())
                        .toLowerCase(java.util.Locale.ROOT).contains(t.credential() + "_username");
                throw new StoreConflictException(conflictMessage.of(username));
            }
            throw Sql.failure(what, e);
        } catch (RuntimeException e) {
            abandon(claimed[0]);
            throw e;
        }
        feed.committed(w.seq(), w.change());
        return w.value();
    }

    private void abandon(long seq) {
        if (seq != 0) {
            feed.abandon(seq);
        }
    }

    /**
     * Configures a {@link JdbcCredentialStore}. Each setting may be given once (a second call throws
     * {@link IllegalStateException}); bad values throw {@link IllegalArgumentException}.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String tablePrefix;
        private Duration pollInterval;
        private Duration lookupTimeout;
        private Duration statementTimeout;
        private Duration feedLookback;
        private Duration feedRetention;
        private Boolean migrate;
        private boolean push = true;
        private boolean pushSet;
        private DataSource listenerDataSource;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        private static void once(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set to " + current);
            }
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }

        /** Prefix of every table, index and sequence name; default {@code portcullis_}. {@code [a-z][a-z0-9_]{0,39}}. */
        public Builder tablePrefix(String prefix) {
            once(this.tablePrefix, "tablePrefix");
            if (prefix == null || !PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("table prefix must match " + PREFIX.pattern());
            }
            this.tablePrefix = prefix;
            return this;
        }

        /**
         * How often the change feed polls the database. On PostgreSQL with push on, changes made on
         * other nodes arrive by push in milliseconds, and the poll is the backstop: the bound within
         * which a change reaches this node when its notice was lost (the listening connection was
         * down). On H2, or with push off, it is the bound itself. Default 1 s; 10 ms to 1 hour.
         */
        public Builder pollInterval(Duration interval) {
            once(this.pollInterval, "pollInterval");
            positive(interval, "pollInterval");
            if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("poll interval must be 10 ms to 1 hour, got " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * Query timeout of the request-path lookups; default 1 s. JDBC counts whole seconds, so it is
         * rounded up. The wait for a pooled connection comes on top: that is the pool's setting.
         */
        public Builder lookupTimeout(Duration timeout) {
            once(this.lookupTimeout, "lookupTimeout");
            this.lookupTimeout = positive(timeout, "lookupTimeout");
            return this;
        }

        /** Query timeout of writes, listings, usage flushes and feed polls; default 5 s, rounded up to seconds. */
        public Builder statementTimeout(Duration timeout) {
            once(this.statementTimeout, "statementTimeout");
            this.statementTimeout = positive(timeout, "statementTimeout");
            return this;
        }

        /**
         * How long the feed waits for a sequence number that was taken but not yet committed
         * (a write in flight, or one rolled back); default 2 minutes. A write that commits later than
         * this after taking its number is not announced by the feed (the cache's refresh still
         * catches it).
         */
        public Builder feedLookback(Duration lookback) {
            once(this.feedLookback, "feedLookback");
            this.feedLookback = positive(lookback, "feedLookback");
            return this;
        }

        /**
         * How long change rows are kept; default 24 hours, and longer than the lookback. A node cut
         * off for longer re-announces every record changed since it last polled.
         */
        public Builder feedRetention(Duration retention) {
            once(this.feedRetention, "feedRetention");
            this.feedRetention = positive(retention, "feedRetention");
            return this;
        }

        /**
         * Whether changes are pushed between nodes on PostgreSQL ({@code NOTIFY} with every write, and
         * a listener on a dedicated connection); default true. Off: this store neither sends nor
         * listens, and changes reach other nodes by the poll alone, within the poll interval. Set
         * it alike on every node. No effect on H2.
         */
        public Builder pushChanges(boolean push) {
            once(pushSet ? this.push : null, "pushChanges");
            this.push = push;
            this.pushSet = true;
            return this;
        }

        /**
         * Where the listener's dedicated connection comes from (PostgreSQL); default the store's own
         * data source, which then lends it one connection for as long as the store is open (size
         * the pool one larger). Give a separate one when the main one cannot hold a session's
         * {@code LISTEN}: PgBouncer in transaction mode, for example; a plain
         * {@code PGSimpleDataSource} to the server itself will do, as only one connection is taken.
         */
        public Builder listenerDataSource(DataSource source) {
            once(this.listenerDataSource, "listenerDataSource");
            this.listenerDataSource = Objects.requireNonNull(source, "listenerDataSource");
            return this;
        }

        /** Whether {@link #build()} runs the Flyway migrations; default true. Off: the schema must be current. */
        public Builder migrateSchema(boolean migrate) {
            once(this.migrate, "migrateSchema");
            this.migrate = migrate;
            return this;
        }

        /**
         * Migrates the schema (unless turned off), takes the feed's position and starts its poller
         * and, on PostgreSQL with push on, its listener (connected before this returns if the
         * database answers; else it keeps trying in the background).
         *
         * <p>Logs one {@code WARNING} (System.Logger {@code dev.portcullis.jdbc.JdbcCredentialStore})
         * when the data source is, or wraps, one known to open a new connection per call: H2's
         * {@code JdbcDataSource}, pgjdbc's {@code PGSimpleDataSource}, Spring's driver-manager data
         * sources, HikariCP's internal {@code DriverDataSource}. Known pools (HikariCP, DBCP2, c3p0,
         * Tomcat, Agroal, Vibur, UCP, H2's {@code JdbcConnectionPool}) are recognised first, by
         * class name or {@code isWrapperFor}, without a dependency on any of them; an unknown
         * data source is not reported.
         *
         * @throws StoreException if the database cannot be reached or the migration fails
         * @throws IllegalArgumentException if the database is neither H2 nor PostgreSQL, or the
         *     retention is not longer than the lookback
         */
        public JdbcCredentialStore build() {
            if (tablePrefix == null) {
                tablePrefix = "portcullis_";
            }
            if (pollInterval == null) {
                pollInterval = Duration.ofSeconds(1);
            }
            if (lookupTimeout == null) {
                lookupTimeout = Duration.ofSeconds(1);
            }
            if (statementTimeout == null) {
                statementTimeout = Duration.ofSeconds(5);
            }
            if (feedLookback == null) {
                feedLookback = Duration.ofMinutes(2);
            }
            if (feedRetention == null) {
                feedRetention = Duration.ofHours(24);
            }
            if (feedRetention.compareTo(feedLookback) <= 0) {
                throw new IllegalArgumentException("feed retention " + feedRetention + " must be longer than the lookback "
                        + feedLookback);
            }
            Dialect dialect;
            try (Connection c = dataSource.getConnection()) {
                dialect = Dialect.of(c);
            } catch (SQLException e) {
                throw new StoreException("credential store: cannot connect", e);
            }
            warnIfUnpooled(dataSource, dialect);
            if (migrate == null || migrate) {
                migrate(dialect);
            }
            JdbcCredentialStore store = new JdbcCredentialStore(this, dialect);
            try {
                store.feed.start();
            } catch (SQLException e) {
                store.close();
                throw Sql.failure("starting the change feed", e);
            }
            if (store.notify) {
                store.push = listen(store);
            }
            return store;
        }

        private ChangePush listen(JdbcCredentialStore store) {
            try {
                PgListener listener = new PgListener(listenerDataSource != null ? listenerDataSource : dataSource,
                        store.t, store.origin, store.feed);
                listener.start();
                return listener;
            } catch (LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "credential store " + store.t.prefix() + ": change push is off,"
                        + " pgjdbc (org.postgresql:postgresql) is not on the class path; changes from other nodes"
                        + " arrive by the poll, within " + store.pollInterval, e);
                return null;
            }
        }

        private static void warnIfUnpooled(DataSource dataSource, Dialect dialect) {
            String plain = PoolCheck.unpooled(dataSource);
            if (plain != null) {
                LOG.log(System.Logger.Level.WARNING, "credential store: the data source (" + dataSource.getClass().getName()
                        + (plain.equals(dataSource.getClass().getName()) ? "" : ", wrapping " + plain)
                        + ") is not pooled, so every cache miss opens a new database connection"
                        + (dialect == Dialect.H2 ? " (an H2 file database opens its file again for each one: hundreds of"
                                + " times slower per miss, milliseconds against tens of microseconds)" : "")
                        + ". Give the store a connection pool, e.g. HikariCP; see docs/integration-jdbc.md");
            }
        }

        /**
         * Runs the migrations, up to three times: nodes starting together on an empty database can
         * trip over each other's new history table (Flyway then refuses to baseline); the retry finds
         * it filled in, takes Flyway's lock and has nothing left to do.
         */
        private void migrate(Dialect dialect) {
            for (int attempt = 1; ; attempt++) {
                try {
                    Flyway.configure(JdbcCredentialStore.class.getClassLoader())
                            .dataSource(dataSource)
                            // Flyway quotes the name: on H2 in upper case, like the unquoted names of the migration.
                            .table(dialect == Dialect.H2 ? (tablePrefix + "schema_history").toUpperCase(java.util.Locale.ROOT)
                                    : tablePrefix + "schema_history")
                            .locations("classpath:dev/portcullis/jdbc/migration/" + dialect.folder)
                            .failOnMissingLocations(true)
                            .placeholders(Map.of("prefix", tablePrefix))
                            // The schema may hold the application's own tables: baseline below V1, then migrate.
                            .baselineOnMigrate(true)
                            .baselineVersion("0")
                            .load()
                            .migrate();
                    return;
                } catch (FlywayException e) {
                    if (attempt == 3) {
                        throw new StoreException("credential store: schema migration failed", e);
                    }
                }
                try {
                    Thread.sleep(250L * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("credential store: interrupted while migrating the schema", e);
                }
            }
        }
    }
}
