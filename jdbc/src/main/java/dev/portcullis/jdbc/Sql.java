package dev.portcullis.jdbc;

import dev.portcullis.spi.StoreException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;

/** JDBC plumbing shared by the store and its feed. */
final class Sql {
    private Sql() {}

    /** Work on a connection that may throw {@link SQLException}. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    static PreparedStatement prepare(Connection c, String sql, int timeoutSeconds) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            ps.setQueryTimeout(timeoutSeconds);
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
        return ps;
    }

    /** Runs {@code work} in one transaction and restores the connection's auto-commit. */
    static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        boolean auto = c.getAutoCommit();
        if (auto) {
            c.setAutoCommit(false);
        }
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            if (auto) {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // the pool validates or discards a broken connection
                }
            }
        }
    }

    static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    /** Lost a race on a row lock: a serialization failure, a deadlock, or H2's lock timeout / concurrent update. */
    static boolean isLockConflict(Dialect dialect, SQLException e) {
        String state = e.getSQLState();
        if ("40001".equals(state) || "40P01".equals(state)) {
            return true;
        }
        return dialect == Dialect.H2 && (e.getErrorCode() == 50200 || e.getErrorCode() == 90131);
    }

    static boolean isTimeout(SQLException e) {
        return e instanceof SQLTimeoutException || "57014".equals(e.getSQLState());
    }

    /** The store's error for a call the database could not answer. */
    static StoreException failure(String what, SQLException e) {
        String why = isTimeout(e) ? "timed out" : "failed (SQLState " + e.getSQLState() + ")";
        return new StoreException("credential store: " + what + " " + why, e);
    }
}
