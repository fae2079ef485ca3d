package dev.portcullis.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** The few statements that differ between the supported databases. */
enum Dialect {
    H2("h2") {
        @Override
        String nextSequenceValue(String sequence) {
            return "SELECT NEXT VALUE FOR " + sequence;
        }

        @Override
        String usageUpsert(String usage, String credential) {
            // Standard MERGE: H2 has no INSERT ... ON CONFLICT outside its PostgreSQL mode.
            return "MERGE INTO " + usage + " u USING ("
                    + "SELECT c.id AS key_id, CAST(? AS VARCHAR(255)) AS item, CAST(? AS BIGINT) AS n,"
                    + " CAST(? AS TIMESTAMP(6) WITH TIME ZONE) AS last_at, CAST(? AS VARCHAR(100)) AS address"
                    + " FROM " + credential + " c WHERE c.id = ? AND (? = FALSE OR (SELECT COUNT(*) FROM " + usage
                    + " x WHERE x.key_id = c.id AND x.item LIKE 'net:%') < ?)) s"
                    + " ON u.key_id = s.key_id AND u.item = s.item"
                    + " WHEN MATCHED THEN UPDATE SET"
                    + " address = CASE WHEN u.last_at IS NULL OR s.last_at > u.last_at THEN s.address ELSE u.address END,"
                    + " last_at = CASE WHEN u.last_at IS NULL OR s.last_at > u.last_at THEN s.last_at ELSE u.last_at END,"
                    + " n = u.n + s.n"
                    + " WHEN NOT MATCHED THEN INSERT (key_id, item, n, last_at, address)"
                    + " VALUES (s.key_id, s.item, s.n, s.last_at, s.address)";
        }

        @Override
        String creditsUpsert(String credits) {
            return "MERGE INTO " + credits + " c USING (SELECT CAST(? AS VARCHAR(512)) AS owner, CAST(? AS BIGINT) AS remaining,"
                    + " CAST(? AS TIMESTAMP(6) WITH TIME ZONE) AS refilled_at) s ON c.owner = s.owner"
                    + " WHEN MATCHED THEN UPDATE SET remaining = s.remaining, refilled_at = s.refilled_at"
                    + " WHEN NOT MATCHED THEN INSERT (owner, remaining, refilled_at) VALUES (s.owner, s.remaining, s.refilled_at)";
        }
    },
    POSTGRESQL("postgresql") {
        @Override
        String nextSequenceValue(String sequence) {
            return "SELECT nextval('" + sequence + "')";
        }

        @Override
        String usageUpsert(String usage, String credential) {
            // SET expressions see the old row, so the order of the assignments does not matter here.
            return "INSERT INTO " + usage + " (key_id, item, n, last_at, address)"
                    + " SELECT c.id, CAST(? AS VARCHAR(255)), CAST(? AS BIGINT), CAST(? AS TIMESTAMP WITH TIME ZONE),"
                    + " CAST(? AS VARCHAR(100)) FROM " + credential + " c"
                    + " WHERE c.id = ? AND (? = FALSE OR (SELECT COUNT(*) FROM " + usage
                    + " x WHERE x.key_id = c.id AND x.item LIKE 'net:%') < ?)"
                    + " ON CONFLICT (key_id, item) DO UPDATE SET"
                    + " address = CASE WHEN " + usage + ".last_at IS NULL OR EXCLUDED.last_at > " + usage
                    + ".last_at THEN EXCLUDED.address ELSE " + usage + ".address END,"
                    + " last_at = CASE WHEN " + usage + ".last_at IS NULL OR EXCLUDED.last_at > " + usage
                    + ".last_at THEN EXCLUDED.last_at ELSE " + usage + ".last_at END,"
                    + " n = " + usage + ".n + EXCLUDED.n";
        }

        @Override
        String creditsUpsert(String credits) {
            return "INSERT INTO " + credits + " (owner, remaining, refilled_at) VALUES (?, ?, ?)"
                    + " ON CONFLICT (owner) DO UPDATE SET remaining = EXCLUDED.remaining, refilled_at = EXCLUDED.refilled_at";
        }
    };

    /** The folder of this database's Flyway migrations, under {@code dev/portcullis/jdbc/migration/}. */
    final String folder;

    Dialect(String folder) {
        this.folder = folder;
    }

    /** A query whose single row and column is the sequence's next value. */
    abstract String nextSequenceValue(String sequence);

    /**
     * Adds one usage item; parameters: item, n, last_at, address, key id, is-network, network bound.
     * Does nothing for an unknown key id, or for a new network beyond the bound.
     */
    abstract String usageUpsert(String usage, String credential);

    /** Sets one credit balance, creating it if needed; parameters: owner, remaining, refilled_at. */
    abstract String creditsUpsert(String credits);

    static Dialect of(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName();
        String p = product.toLowerCase(Locale.ROOT);
        if (p.equals("h2")) {
            return H2;
        }
        if (p.equals("postgresql")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database \"" + product + "\": Portcullis JDBC supports H2 and PostgreSQL");
    }
}
