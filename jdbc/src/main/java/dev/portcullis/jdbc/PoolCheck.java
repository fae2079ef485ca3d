package dev.portcullis.jdbc;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Whether a {@link DataSource} opens a new physical connection on every {@code getConnection()}.
 * JDBC has no standard way to ask, so this goes by name, with no dependency on any pool:
 *
 * <ol>
 *   <li>a known <b>pool</b> ({@link #POOLS}), by the class's own name, a superclass's or an
 *       interface's, or one it {@linkplain DataSource#isWrapperFor wraps} (the class loaded by name,
 *       if it can be): not reported. This comes first because a pool may wrap a plain data source
 *       (HikariCP's {@code isWrapperFor} answers for the {@code DataSource} it was given);
 *   <li>a known <b>plain</b> data source ({@link #PLAIN}), matched the same way: reported;
 *   <li>anything else: not reported, for want of evidence (no false alarms on an unknown pool).
 * </ol>
 */
final class PoolCheck {
    private PoolCheck() {}

    /** Pools (classes or interfaces they implement), and other data sources that reuse their connections. */
    static final List<String> POOLS = List.of(
            "com.zaxxer.hikari.HikariDataSource",
            "org.apache.commons.dbcp2.BasicDataSource",
            "org.apache.commons.dbcp2.PoolingDataSource",
            "org.apache.tomcat.jdbc.pool.DataSourceProxy",
            "com.mchange.v2.c3p0.PooledDataSource",
            "io.agroal.api.AgroalDataSource",
            "org.vibur.dbcp.ViburDataSource",
            "oracle.ucp.jdbc.PoolDataSource",
            "org.h2.jdbcx.JdbcConnectionPool",
            "org.postgresql.ds.PGPoolingDataSource",
            // Not a pool, but it keeps one connection open and hands out that one: no reconnect per call.
            "org.springframework.jdbc.datasource.SingleConnectionDataSource");

    /** Data sources that open a new connection per call (subclasses included). */
    static final List<String> PLAIN = List.of(
            "org.h2.jdbcx.JdbcDataSource",
            "org.postgresql.ds.PGSimpleDataSource",
            "org.postgresql.ds.common.BaseDataSource",
            "org.springframework.jdbc.datasource.AbstractDriverBasedDataSource",
            "com.zaxxer.hikari.util.DriverDataSource");

    /** The name of the plain data source {@code ds} is or wraps, or {@code null} if it is pooled or unknown. */
    static String unpooled(DataSource ds) {
        try {
            if (matches(ds, POOLS) != null) {
                return null;
            }
            return matches(ds, PLAIN);
        } catch (RuntimeException | LinkageError e) {
            return null; // a check for a warning must never fail the store
        }
    }

    private static String matches(DataSource ds, List<String> names) {
        Set<String> types = typeNames(ds.getClass());
        for (String n : names) {
            if (types.contains(n)) {
                return n;
            }
        }
        for (String n : names) {
            Class<?> type = load(n, ds);
            if (type == null) {
                continue;
            }
            try {
                if (ds.isWrapperFor(type)) {
                    return n;
                }
            } catch (Exception | LinkageError e) {
                // a wrapper that cannot say: no evidence either way
            }
        }
        return null;
    }

    /** The names of a class, its superclasses and every interface they implement. */
    private static Set<String> typeNames(Class<?> c) {
        Set<String> names = new HashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>();
        todo.add(c);
        while (!todo.isEmpty()) {
            Class<?> t = todo.pop();
            if (!names.add(t.getName())) {
                continue;
            }
            if (t.getSuperclass() != null) {
                todo.add(t.getSuperclass());
            }
            for (Class<?> i : t.getInterfaces()) {
                todo.add(i);
            }
        }
        return names;
    }

    private static Class<?> load(String name, DataSource ds) {
        for (ClassLoader loader : new ClassLoader[] {ds.getClass().getClassLoader(),
                Thread.currentThread().getContextClassLoader(), PoolCheck.class.getClassLoader()}) {
            if (loader == null) {
                continue;
            }
            try {
                return Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // not on this loader
            }
        }
        return null;
    }
}
