package dev.portcullis.smtp;

import static dev.portcullis.smtp.Wire.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Issue 32, restarts without refusals: right after a start nothing is cached, and one user's
 * client opening many sessions at once made each AUTH run its own Argon2 check, so those that
 * found no free slot got {@code 454 4.7.0}. The core's single flight shares one check among them.
 */
class RestartLoginsTest {
    private static final int THREADS = 20;
    private static final int SESSIONS_PER_THREAD = 10;

    @Test
    void twoHundredConcurrentSessionsOfOneUserRightAfterStartAllAuthenticate() {
        // One Argon2 slot and 1 ms to get it: a second check of the same login running at the same
        // time would be refused, so only sharing the first one lets every session in.
        try (TestServer t = new TestServer(SmtpOptions.builder().startTls(TestTls.server()).build(),
                b -> b.argon2Concurrency(1, Duration.ofMillis(1)))) {
            IssuedKey login = t.keys().createSmtpCredential(KeySpec.builder().account("acme")
                    .username("app@d.test").grant("messages:send", "d.test").build());
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                Map<String, Integer> replies = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<List<String>>> threads = new ArrayList<>();
                    for (int i = 0; i < THREADS; i++) {
                        threads.add(pool.submit(() -> {
                            start.await();
                            List<String> mine = new ArrayList<>();
                            for (int s = 0; s < SESSIONS_PER_THREAD; s++) {
                                mine.add(authenticate(t.port(), login));
                            }
                            return mine;
                        }));
                    }
                    start.countDown();
                    Map<String, Integer> counts = new TreeMap<>();
                    for (Future<List<String>> f : threads) {
                        for (String reply : f.get()) {
                            counts.merge(reply.substring(0, 3), 1, Integer::sum);
                        }
                    }
                    return counts;
                });
                assertEquals(Map.of("235", THREADS * SESSIONS_PER_THREAD), replies);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** One session: STARTTLS, AUTH PLAIN; the AUTH reply. */
    private static String authenticate(int port, IssuedKey login) throws Exception {
        try (Wire w = Wire.connect(port)) {
            w.ask("EHLO client.test");
            w.startTls();
            w.ask("EHLO client.test");
            String reply = w.ask("AUTH PLAIN " + plain(login.username(), login.password()));
            w.ask("QUIT");
            return reply;
        }
    }
}
