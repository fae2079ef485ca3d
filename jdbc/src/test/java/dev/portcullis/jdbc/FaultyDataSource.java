package dev.portcullis.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Wraps a data source for fault tests: {@link #down} makes every new connection fail, and
 * {@link #holdNextCommit} makes the next commit (not the feed's) wait (its transaction stays open) until released.
 */
final class FaultyDataSource implements DataSource {
    private final DataSource delegate;
    volatile boolean down;
    private volatile CountDownLatch hold;
    /** Counted down when a held commit has started waiting. */
    volatile CountDownLatch holding = new CountDownLatch(1);

    FaultyDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    /** The next commit on any connection waits for {@code release}. */
    void holdNextCommit(CountDownLatch release) {
        holding = new CountDownLatch(1);
        hold = release;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (down) {
            throw new SQLTransientConnectionException("database is down (test)", "08001");
        }
        Connection real = delegate.getConnection();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    // The feed's own commits (pruning) are never held: only the application's writes.
                    if (method.getName().equals("commit") && !Thread.currentThread().getName().startsWith("portcullis-jdbc-feed")) {
                        CountDownLatch release = hold;
                        if (release != null) {
                            hold = null;
                            holding.countDown();
                            if (!release.await(30, TimeUnit.SECONDS)) {
                                throw new SQLException("held commit never released");
                            }
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return delegate.isWrapperFor(iface);
    }
}
