package dev.portcullis.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.AuthEvent;
import dev.portcullis.AuthListener;
import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.Usage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 31, "nothing lost at shutdown": on an H2 file store behind a real HikariCP pool, closed
 * in docs/integration-jdbc.md's order ({@code portcullis.close(); store.close(); pool.close();}),
 * every allowed request and every new-network record made before {@code close()} is read back
 * after a restart — 40 restarts in a row, each with a flush interval short enough that a
 * scheduled flush is often running when {@code close()} starts.
 */
class UsageAtShutdownTest {
    private static final int ROUNDS = 40;
    private static final int REQUESTS = 1_000;
    private static final int THREADS = 2;
    /** New networks per round: 40 × 5 = 200, under {@link Usage#MAX_NETWORKS}. */
    private static final int NEW_NETWORKS = 5;

    private static HikariDataSource pool(Path dir) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("portcullis") + ";DB_CLOSE_ON_EXIT=FALSE");
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(5_000);
        return new HikariDataSource(config);
    }

    private static AuthRequest request(String token, String ip) {
        String basic = Base64.getEncoder().encodeToString(("api:" + token).getBytes(StandardCharsets.UTF_8));
        return AuthRequest.http("Basic " + basic, ip);
    }

    @Test
    void everyAllowedRequestAndNewNetworkBeforeCloseIsReadBackAfterARestart(@TempDir Path dir) throws Exception {
        String token;
        String id;
        try (HikariDataSource pool = pool(dir); JdbcCredentialStore store = JdbcCredentialStore.create(pool);
                Portcullis p = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat")).build()) {
            var key = p.keys().create(KeySpec.builder().account("acme").name("shutdown").grant("messages:send", "example.com").build());
            token = key.token();
            id = key.id();
        }
        Set<String> expectedNetworks = new HashSet<>();
        ExecutorService clients = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 1; round <= ROUNDS; round++) {
                Set<String> announced = ConcurrentHashMap.newKeySet();
                AuthListener listener = new AuthListener() {
                    @Override
                    public void onEvent(AuthEvent e) {
                        if (e.newNetwork()) {
                            announced.add(e.clientAddress().substring(0, e.clientAddress().lastIndexOf('.')) + ".0/24");
                        }
                    }
                };
                HikariDataSource pool = pool(dir);
                JdbcCredentialStore store = JdbcCredentialStore.create(pool);
                Portcullis p = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat"))
                        .usageFlushInterval(Duration.ofMillis(1)).listener(listener).build();
                int r = round;
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    done.add(clients.submit(() -> {
                        int allowed = 0;
                        for (int i = thread; i < REQUESTS; i += THREADS) {
                            // The first requests come from networks never seen before; the rest from one seen.
                            String ip = i < NEW_NETWORKS ? "10." + r + "." + i + ".9" : "192.0.2.1";
                            AuthResult res = p.authenticator().authenticate(request(token, ip));
                            if (res.allowed()) {
                                allowed++;
                            }
                        }
                        return allowed;
                    }));
                }
                int allowed = 0;
                for (Future<Integer> f : done) {
                    allowed += f.get(60, TimeUnit.SECONDS);
                }
                assertEquals(REQUESTS, allowed, "round " + round + ": every request is allowed");
                p.close();
                store.close();
                pool.close();
                for (int i = 0; i < NEW_NETWORKS; i++) {
                    expectedNetworks.add("10." + r + "." + i + ".0/24");
                }
                if (round == 1) {
                    expectedNetworks.add("192.0.2.0/24");
                }
                assertTrue(expectedNetworks.containsAll(announced), "round " + round + ": announced " + announced);

                try (HikariDataSource reopened = pool(dir); JdbcCredentialStore again = JdbcCredentialStore.create(reopened)) {
                    Usage u = again.usage(id).orElseThrow();
                    assertEquals((long) REQUESTS * round, u.counts().get("ALLOWED"),
                            "round " + round + ": every allowed request before close is read back after it");
                    assertEquals(expectedNetworks, u.networks(), "round " + round + ": every new network is read back");
                }
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
