package dev.portcullis.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.testkit.CredentialStoreContract;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on a real PostgreSQL: one cluster for the class, fresh tables (a new prefix) per test. */
class PostgresContractTest extends CredentialStoreContract {
    private static final Duration POLL = Duration.ofMillis(100);
    private static EmbeddedPostgres pg;
    private static HikariDataSource pool;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = Databases.postgres();
        pool = Databases.pool(pg, 8, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pool != null) {
            pool.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected CredentialStore newStore() {
        return JdbcCredentialStore.builder(pool).tablePrefix(Databases.freshPrefix()).pollInterval(POLL).build();
    }

    @Override
    protected void closeStore(CredentialStore store) {
        ((JdbcCredentialStore) store).close();
    }

    @Override
    protected Duration changeFeedBound() {
        return POLL;
    }
}
