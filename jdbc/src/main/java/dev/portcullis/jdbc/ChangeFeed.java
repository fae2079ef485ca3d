package dev.portcullis.jdbc;

import dev.portcullis.spi.StoreChange;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The change feed of one store instance: polls the change table and tells subscribers what changed.
 * On PostgreSQL a {@link PgListener} also hands it pushed notices ({@link #pushed}) the moment other
 * nodes commit; the poll stays the backstop that catches whatever a push missed.
 *
 * <p>Writers take a sequence number before they commit, so numbers can become visible out of order:
 * a number missing below the highest one seen is a <em>gap</em>, re-read on every poll until its row
 * appears or the lookback window passes (it was rolled back, or its writer is stuck). Every row is
 * delivered once. If pruning deleted rows this node never read (it was cut off longer than the
 * retention), the feed re-announces every record changed since its position instead.
 *
 * <p>This store's own writes are announced right after their commit, on the writing thread, and
 * not again when the poller reads them back.
 *
 * <p>A pushed notice is announced as an eviction only (version 0: it raises no version floor), on
 * the listener's thread; the poll announces the same change again, with its version, when it reads
 * the row. Anyone who can connect to the database can send a notification, so a notice is never
 * trusted for more than an eviction.
 */
final class ChangeFeed implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChangeFeed.class.getName());
    private static final int PAGE = 500;
    /** At start, numbers this far below the newest may still be in flight. */
    private static final int START_WINDOW = 1000;
    /** Most gaps tracked; beyond that the oldest are dropped (only a sequence reset makes so many). */
    private static final int MAX_GAPS = 10_000;
    private static final long PRUNE_EVERY = Duration.ofMinutes(1).toNanos();

    private final DataSource dataSource;
    private final Tables t;
    private final int timeoutSeconds;
    private final Duration interval;
    private final long lookbackNanos;
    private final Duration retention;
    private final List<Consumer<StoreChange>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller;

    /** Serialises deliveries, so the poller and a local commit never both announce one change. */
    private final Object deliver = new Object();
    /** This store's own writes by sequence number: FALSE until committed, TRUE once announced by the writer. */
    private final Map<Long, Boolean> local = new ConcurrentHashMap<>();
    private static final int POLLED_OWN = 1024;
    /**
     * This store's own writes the poll has read since, the latest {@value #POLLED_OWN} of them; guarded
     * by {@link #deliver}. Their pushed notices can still be on the way, and are not another node's.
     */
    private final Set<Long> polledOwn = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > POLLED_OWN;
        }
    });

    /** Guards the poll state below. */
    private final Object pollLock = new Object();
    private long high;
    /** Missing sequence numbers below {@code high}, with the nanoTime they were first missed. */
    private final TreeMap<Long, Long> gaps = new TreeMap<>();
    private long lastPrune = System.nanoTime() - PRUNE_EVERY;

    private volatile long caughtUpAt;
    private int failures;
    /** A poll asked for by {@link #pollSoon} is queued and has not started yet. */
    private final java.util.concurrent.atomic.AtomicBoolean pollQueued = new java.util.concurrent.atomic.AtomicBoolean();

    ChangeFeed(DataSource dataSource, Tables tables, int timeoutSeconds, Duration interval, Duration lookback,
            Duration retention) {
        this.dataSource = dataSource;
        this.t = tables;
        this.timeoutSeconds = timeoutSeconds;
        this.interval = interval;
        this.lookbackNanos = lookback.toNanos();
        this.retention = retention;
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "portcullis-jdbc-feed[" + tables.prefix() + "]");
            thread.setDaemon(true);
            return thread;
        });
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.poller = pool;
    }

    /** Takes the current position (so history before it is never replayed), then polls in the background. */
    void start() throws SQLException {
        synchronized (pollLock) {
            try (Connection c = dataSource.getConnection()) {
                position(c);
            }
            caughtUpAt = System.nanoTime();
        }
        long every = interval.toNanos();
        poller.scheduleWithFixedDelay(this::pollQuietly, every, every, TimeUnit.NANOSECONDS);
    }

    AutoCloseable subscribe(Consumer<StoreChange> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Time since the feed last caught up with the database. */
    Duration lag() {
        return Duration.ofNanos(System.nanoTime() - caughtUpAt);
    }

    // --- this store's own writes ---

    /** Called with the sequence number of a write before it commits. */
    void claim(long seq) {
        local.put(seq, Boolean.FALSE);
    }

    /** The write committed: announce it now, unless the poller already did. */
    void committed(long seq, StoreChange change) {
        synchronized (deliver) {
            if (local.replace(seq, Boolean.FALSE, Boolean.TRUE)) {
                publish(change);
            }
        }
    }

    /** The write failed, or its commit's outcome is unknown: the poller announces it if it exists. */
    void abandon(long seq) {
        local.remove(seq);
    }

    // --- pushed notices (PostgreSQL LISTEN/NOTIFY) ---

    /**
     * Whether {@code seq} is this store's own write: committing, announced by its writer, or read by
     * the poll lately (a notice can arrive after the poll read its row).
     */
    boolean isLocal(long seq) {
        if (local.containsKey(seq)) {
            return true;
        }
        synchronized (deliver) {
            return polledOwn.contains(seq);
        }
    }

    /**
     * Another node committed this change: evict now, on the calling (listener) thread, before it
     * reads its next notice. Announced with version 0, see the class comment.
     */
    void pushed(StoreChange change) {
        StoreChange evictOnly = new StoreChange(change.kind(), change.id(), 0, change.usernames());
        synchronized (deliver) {
            publish(evictOnly);
        }
    }

    /**
     * Polls as soon as the poller thread is free: after the listener (re)connected, to catch what
     * was committed while it was not listening, or for a notice too large to carry its change.
     * Requests made while one is queued are one poll.
     */
    void pollSoon() {
        if (pollQueued.compareAndSet(false, true)) {
            try {
                poller.execute(() -> {
                    pollQueued.set(false);
                    pollQuietly();
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                pollQueued.set(false); // the store is closing
            }
        }
    }

    // --- polling ---

    private void pollQuietly() {
        try {
            poll();
            if (failures > 0) {
                LOG.log(System.Logger.Level.INFO, "change feed " + t.prefix() + " recovered after " + failures + " failed polls");
                failures = 0;
            }
        } catch (SQLException | RuntimeException e) {
            // Keep polling: the schedule would stop for good if this escaped. The lag shows the outage.
            if (failures++ == 0 || failures % 60 == 0) {
                LOG.log(System.Logger.Level.WARNING, "change feed " + t.prefix() + " cannot poll (" + failures
                        + " failures in a row); cached records stay until the cache's hard bound", e);
            }
        }
    }

    /** One poll; also called by tests. */
    void poll() throws SQLException {
        synchronized (pollLock) {
            try (Connection c = dataSource.getConnection()) {
                long low = gaps.isEmpty() ? high : Math.min(high, gaps.firstKey() - 1);
                long cursor = low;
                while (true) {
                    List<Row> page = read(c, cursor);
                    for (Row r : page) {
                        apply(r);
                    }
                    if (page.size() < PAGE) {
                        break;
                    }
                    cursor = page.get(page.size() - 1).seq;
                }
                // Read after the rows: a prune that ran meanwhile is seen now, not missed.
                if (prunedThrough(c) > low) {
                    catchUp(c, low);
                }
                expireGaps();
                if (System.nanoTime() - lastPrune >= PRUNE_EVERY) {
                    prune(c);
                }
            }
            caughtUpAt = System.nanoTime();
        }
    }

    private record Row(long seq, StoreChange change) {}

    private List<Row> read(Connection c, long after) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, "SELECT seq, kind, ref, version, usernames FROM " + t.change()
                + " WHERE seq > ? ORDER BY seq FETCH FIRST " + PAGE + " ROWS ONLY", timeoutSeconds)) {
            ps.setLong(1, after);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StoreChange change = new StoreChange(StoreChange.Kind.valueOf(rs.getString(2)), rs.getString(3),
                            rs.getLong(4), Columns.usernames(rs.getString(5)));
                    rows.add(new Row(rs.getLong(1), change));
                }
            }
        }
        return rows;
    }

    /** Delivers (subscribers evict) first, then moves the position past the row. */
    private void apply(Row r) {
        if (r.seq > high) {
            deliver(r);
            long now = System.nanoTime();
            for (long s = Math.max(high + 1, r.seq - MAX_GAPS); s < r.seq; s++) {
                gaps.put(s, now);
            }
            while (gaps.size() > MAX_GAPS) {
                gaps.pollFirstEntry();
            }
            high = r.seq;
        } else if (gaps.containsKey(r.seq)) {
            deliver(r); // a late commit
            gaps.remove(r.seq);
        }
    }

    private void deliver(Row r) {
        synchronized (deliver) {
            Boolean own = local.remove(r.seq);
            if (own != Boolean.TRUE) {
                publish(r.change);
            }
            if (own != null) {
                polledOwn.add(r.seq);
            }
        }
    }

    private void expireGaps() {
        long now = System.nanoTime();
        for (Iterator<Long> it = gaps.values().iterator(); it.hasNext(); ) {
            if (now - it.next() > lookbackNanos) {
                it.remove(); // rolled back, or committed later than the lookback allows
            }
        }
    }

    private long prunedThrough(Connection c) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, "SELECT pruned_through FROM " + t.feedState() + " WHERE id = 1",
                timeoutSeconds); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Sets {@code high} to the newest number (or the pruned one), and the missing numbers just below it as gaps. */
    private void position(Connection c) throws SQLException {
        long pruned = prunedThrough(c);
        long max;
        try (PreparedStatement ps = Sql.prepare(c, "SELECT COALESCE(MAX(seq), 0) FROM " + t.change(), timeoutSeconds);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            max = Math.max(pruned, rs.getLong(1));
        }
        long from = Math.max(pruned, max - START_WINDOW);
        Set<Long> present = new HashSet<>();
        try (PreparedStatement ps = Sql.prepare(c, "SELECT seq FROM " + t.change() + " WHERE seq > ?", timeoutSeconds)) {
            ps.setLong(1, from);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getLong(1));
                }
            }
        }
        gaps.clear();
        long now = System.nanoTime();
        for (long s = from + 1; s <= max; s++) {
            if (!present.contains(s)) {
                gaps.put(s, now);
            }
        }
        high = max;
    }

    /**
     * History after {@code low} may be gone: re-announce every record changed since then, from the
     * records themselves. Renamed logins are announced under their new name only.
     */
    private void catchUp(Connection c, long low) throws SQLException {
        position(c); // first, so that anything committing after the reads below is still polled
        List<StoreChange> changes = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, "SELECT id, version, username FROM " + t.credential()
                + " WHERE change_seq > ?", timeoutSeconds)) {
            ps.setLong(1, low);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String username = rs.getString(3);
                    changes.add(StoreChange.credential(rs.getString(1), rs.getLong(2),
                            username == null ? Set.of() : Set.of(username)));
                }
            }
        }
        try (PreparedStatement ps = Sql.prepare(c, "SELECT account, version FROM " + t.account()
                + " WHERE change_seq > ?", timeoutSeconds)) {
            ps.setLong(1, low);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    changes.add(StoreChange.account(rs.getString(1), rs.getLong(2)));
                }
            }
        }
        LOG.log(System.Logger.Level.WARNING, "change feed " + t.prefix() + " fell behind its retention of " + retention
                + "; re-announced the " + changes.size() + " records changed since");
        synchronized (deliver) {
            changes.forEach(this::publish);
            local.entrySet().removeIf(e -> e.getValue() && e.getKey() <= high);
        }
    }

    /** Prunes now; for tests. */
    void pruneNow() throws SQLException {
        synchronized (pollLock) {
            try (Connection c = dataSource.getConnection()) {
                prune(c);
            }
        }
    }

    /** Deletes rows older than the retention; any node may do it, and doing it twice is harmless. */
    private void prune(Connection c) throws SQLException {
        lastPrune = System.nanoTime();
        Sql.inTransaction(c, tx -> {
            Long through = null;
            try (PreparedStatement ps = Sql.prepare(tx, "SELECT MAX(seq) FROM " + t.change() + " WHERE recorded_at < ?",
                    timeoutSeconds)) {
                Columns.setInstant(ps, 1, Instant.now().minus(retention));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long v = rs.getLong(1);
                        through = rs.wasNull() ? null : v;
                    }
                }
            }
            if (through == null) {
                return null;
            }
            // The mark first: it locks the row, so concurrent pruners take turns.
            try (PreparedStatement ps = Sql.prepare(tx, "UPDATE " + t.feedState()
                    + " SET pruned_through = ? WHERE id = 1 AND pruned_through < ?", timeoutSeconds)) {
                ps.setLong(1, through);
                ps.setLong(2, through);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = Sql.prepare(tx, "DELETE FROM " + t.change() + " WHERE seq <= ?", timeoutSeconds)) {
                ps.setLong(1, through);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private void publish(StoreChange change) {
        for (Consumer<StoreChange> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "change listener threw; ignored", e);
            }
        }
    }

    /**
     * Stops the poller and waits for a poll in progress (bounded by the statement timeout). No
     * interrupt: an interrupted file read can close an embedded H2 database under its other users.
     */
    @Override
    public void close() {
        poller.shutdown();
        try {
            if (!poller.awaitTermination(timeoutSeconds + 5L, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "change feed " + t.prefix() + " poller did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
