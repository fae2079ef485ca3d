package dev.portcullis.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The push half of the change feed on PostgreSQL: one daemon thread per store,
 * {@code portcullis-jdbc-listen[prefix]}, holds one dedicated connection that {@code LISTEN}s on the
 * store's channel and waits in pgjdbc's {@link PGConnection#getNotifications(int)}. Every write
 * sends a notice in its own transaction (PostgreSQL delivers it at commit, never for a rollback);
 * this thread hands each notice from another store instance to the {@link ChangeFeed}, whose
 * subscribers evict before the thread reads the next one.
 *
 * <p>A lost connection (the server restarted, the backend was terminated, a heartbeat failed) is
 * reopened with backoff, 100 ms doubling to 5 s; once {@code LISTEN} is in place again the feed
 * polls at once, so changes committed while no one listened are caught within one query, not one
 * interval. Until then the periodic poll bounds the delay, as it does without any push.
 *
 * <p>Loaded only for PostgreSQL: H2 users need no pgjdbc on the class path.
 */
final class PgListener implements ChangePush {
    private static final System.Logger LOG = System.getLogger(PgListener.class.getName());
    /** Longest wait in {@code getNotifications}: how soon the thread sees {@link #close} and a heartbeat is due. */
    private static final int WAIT_MILLIS = 250;
    /** How often an idle connection is checked ({@link Connection#isValid}), to find a silently dead one. */
    private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int HEARTBEAT_TIMEOUT_SECONDS = 2;
    private static final int LISTEN_TIMEOUT_SECONDS = 5;
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final DataSource source;
    private final String channel;
    private final String origin;
    private final ChangeFeed feed;
    private final String prefix;
    private final Thread thread;
    private final Object sleeper = new Object();

    private volatile boolean closed;
    /** The connections are not pgjdbc's: nothing to listen with, the poll alone serves. */
    private volatile boolean unsupported;
    private volatile boolean connected;
    private volatile int backendPid;
    /** Used by the listener thread only, and by {@link #start()} before the thread runs. */
    private Connection connection;
    private PGConnection pg;
    private long lastCheck;
    private int failures;
    private long backoffMillis;

    PgListener(DataSource source, Tables tables, String origin, ChangeFeed feed) {
        this.source = source;
        this.channel = tables.channel();
        this.origin = origin;
        this.feed = feed;
        this.prefix = tables.prefix();
        this.thread = new Thread(this::run, "portcullis-jdbc-listen[" + prefix + "]");
        this.thread.setDaemon(true);
    }

    // --- the listening side ---

    /**
     * Connects once on the calling thread (so that a store returned by {@code build()} is already
     * listening when the database answers), then starts the thread, which reconnects if this failed.
     */
    void start() {
        try {
            connect();
        } catch (SQLException | RuntimeException e) {
            failed(e);
        }
        thread.start();
    }

    @Override
    public boolean connected() {
        return connected && !closed;
    }

    /** The PostgreSQL backend process of the listening connection, 0 while there is none; for tests. */
    int backendPid() {
        return backendPid;
    }

    private void run() {
        while (!closed && !unsupported) {
            if (connection == null) {
                pause(backoffMillis);
                if (closed) {
                    break;
                }
                try {
                    connect();
                } catch (SQLException | RuntimeException e) {
                    failed(e);
                }
                continue;
            }
            try {
                PGNotification[] notices = pg.getNotifications(WAIT_MILLIS);
                if (notices != null) {
                    for (PGNotification n : notices) {
                        handle(n);
                    }
                }
                long now = System.nanoTime();
                if (now - lastCheck >= HEARTBEAT_NANOS) {
                    lastCheck = now;
                    if (!connection.isValid(HEARTBEAT_TIMEOUT_SECONDS)) {
                        throw new SQLException("the listening connection is no longer valid", "08006");
                    }
                }
            } catch (SQLException | RuntimeException e) {
                failed(e);
            }
        }
        disconnect();
    }

    private void connect() throws SQLException {
        Connection c = source.getConnection();
        try {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true); // inside an open transaction, LISTEN would wait for its commit
            }
            if (!c.isWrapperFor(PGConnection.class)) {
                unsupported = true;
                LOG.log(System.Logger.Level.WARNING, "change push " + prefix + " is off: the data source's connections"
                        + " are not pgjdbc's (" + c.getClass().getName() + "), so this node cannot LISTEN. Changes from"
                        + " other nodes arrive by the poll, within the poll interval");
                throw new SQLException("not a pgjdbc connection");
            }
            PGConnection p = c.unwrap(PGConnection.class);
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(LISTEN_TIMEOUT_SECONDS);
                st.execute("LISTEN \"" + channel + "\"");
            }
            connection = c;
            pg = p;
            backendPid = p.getBackendPID();
        } catch (SQLException | RuntimeException e) {
            release(c);
            throw e;
        }
        lastCheck = System.nanoTime();
        connected = true;
        if (failures > 0) {
            LOG.log(System.Logger.Level.INFO, "change push " + prefix + " listening again after " + failures
                    + " failures; polling once for what was committed meanwhile");
        }
        failures = 0;
        backoffMillis = 0;
        feed.pollSoon(); // whatever committed while no one listened
    }

    private void handle(PGNotification n) {
        if (!channel.equals(n.getName())) {
            return;
        }
        PushNotice notice = PushNotice.parse(n.getParameter());
        if (notice == null || notice.change() == null) {
            feed.pollSoon(); // too large to carry its change, or not in our format: read the table
            return;
        }
        if (notice.origin().equals(origin) && feed.isLocal(notice.seq())) {
            // This store's own write, announced (or about to be) by the writing thread before the
            // write returns, or already read by the poll. One whose commit's outcome was unknown to
            // the writer is not "local" any more: its notice then evicts here too.
            return;
        }
        feed.pushed(notice.change());
    }

    private void failed(Exception e) {
        boolean was = connected;
        connected = false;
        disconnect();
        if (unsupported) {
            return;
        }
        failures++;
        backoffMillis = backoffMillis == 0 ? FIRST_BACKOFF_MILLIS : Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
        if (closed) {
            return;
        }
        if (was || failures == 1 || failures % 60 == 0) {
            LOG.log(System.Logger.Level.WARNING, "change push " + prefix + " is not listening (" + failures
                    + " failures in a row; retrying with backoff). Changes from other nodes arrive by the poll"
                    + " meanwhile, within the poll interval", e);
        }
    }

    /** Drops the connection: stops listening on it (so a pool gets it back clean), then closes it. */
    private void disconnect() {
        Connection c = connection;
        connection = null;
        pg = null;
        backendPid = 0;
        if (c != null) {
            release(c);
        }
    }

    private static void release(Connection c) {
        try (Statement st = c.createStatement()) {
            // A pooled connection must not go back still listening. On a dead connection this
            // fails, through the pool's proxy, which then discards it.
            st.setQueryTimeout(LISTEN_TIMEOUT_SECONDS);
            st.execute("UNLISTEN *");
        } catch (SQLException | RuntimeException ignored) {
            // closed below either way
        }
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // nothing more to do with a broken connection
        }
    }

    /** Sleeps the backoff with a little jitter, or until {@link #close(Duration)}. */
    private void pause(long millis) {
        if (millis <= 0) {
            return;
        }
        long total = millis + ThreadLocalRandom.current().nextLong(millis / 5 + 1);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(total);
        synchronized (sleeper) {
            long left;
            while (!closed && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(sleeper, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Stops the thread: it sees the flag within one wait ({@value #WAIT_MILLIS} ms), or after a
     * connection attempt in progress (bounded by the pool's connection timeout), then unlistens and
     * closes its connection. Waits for that at most {@code bound}; no interrupt, as for the poller.
     */
    @Override
    public void close(Duration bound) {
        closed = true;
        connected = false;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        if (Thread.currentThread() == thread || !thread.isAlive()) {
            return; // the thread disconnects when it leaves its loop
        }
        try {
            thread.join(bound.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(System.Logger.Level.WARNING, "change push " + prefix + " listener did not stop in " + bound
                    + "; it stops on its own after its connection attempt");
        }
    }
}
