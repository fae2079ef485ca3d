package dev.portcullis.smtp;

import static dev.portcullis.smtp.Wire.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Limit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** 200 sessions, each its own connection with STARTTLS and AUTH, 16 at a time: every reply as expected. */
class ConcurrentSessionsTest {
    private static final int SESSIONS = 200;

    @Test
    void twoHundredConcurrentSessionsGetNoWrongReply() {
        // All 200 come from 127.0.0.1, 50 with a wrong password: budgets wide enough that none is
        // TOO_MANY_FAILURES, and Argon2 waits long enough that none is BUSY (both 454). This test
        // is about the adapter's answers under concurrency; SourcesAndLimitsTest has the budgets.
        try (TestServer t = new TestServer(SmtpOptions.builder().startTls(TestTls.server()).build(),
                b -> b.argon2Concurrency(4, Duration.ofSeconds(30))
                        .failureBudgets(Limit.perHour(1000), Limit.perHour(1000), Limit.perHour(1000)))) {
            List<IssuedKey> logins = new ArrayList<>();
            List<IssuedKey> keys = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                logins.add(t.keys().createSmtpCredential(KeySpec.builder().account("acct" + i)
                        .username("user" + i + "@d" + i + ".test").grant("messages:send", "d" + i + ".test").build()));
                keys.add(t.keys().create(KeySpec.builder().account("acct" + i).grant("messages:send", "d" + i + ".test").build()));
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                    List<Future<String>> results = new ArrayList<>();
                    for (int n = 0; n < SESSIONS; n++) {
                        int i = n % 10;
                        int kind = n % 4; // 0 password, 1 API key, 2 wrong password, 3 someone else's domain
                        results.add(pool.submit(() -> session(t.port(), kind, logins.get(i), keys.get(i), i)));
                    }
                    for (Future<String> r : results) {
                        assertEquals("ok", r.get());
                    }
                });
            } finally {
                pool.shutdownNow();
            }
            assertEquals(SESSIONS / 2, t.deliveries.size());
            for (TestServer.Delivery d : t.deliveries) {
                String domain = d.from().substring(d.from().indexOf('@') + 1);
                assertEquals(d.principal().account().replace("acct", "d") + ".test", domain, "each message under its own principal");
            }
        }
    }

    private static String session(int port, int kind, IssuedKey login, IssuedKey key, int i) throws Exception {
        String other = "x@d" + ((i + 1) % 10) + ".test";
        String mine = "x@d" + i + ".test";
        try (Wire w = Wire.connect(port)) {
            w.ask("EHLO client.test");
            w.startTls();
            w.ask("EHLO client.test");
            String auth = switch (kind) {
                case 1, 3 -> w.ask("AUTH PLAIN " + plain("api", key.token()));
                case 2 -> w.ask("AUTH PLAIN " + plain(login.username(), "not the password"));
                default -> w.ask("AUTH PLAIN " + plain(login.username(), login.password()));
            };
            if (kind == 2) {
                return expect("535 5.7.8 Authentication credentials invalid", auth);
            }
            String r = expect("235 Authentication successful.", auth);
            if (kind == 3) {
                return expect("550 5.7.1 Not authorized to send as this sender", w.ask("MAIL FROM:<" + other + ">"));
            }
            r = r.equals("ok") ? expect("250 Ok", w.ask("MAIL FROM:<" + mine + ">")) : r;
            r = r.equals("ok") ? expect("250 Ok", w.ask("RCPT TO:<r@elsewhere.test>")) : r;
            r = r.equals("ok") ? expect("354 End data with <CR><LF>.<CR><LF>", w.ask("DATA")) : r;
            r = r.equals("ok") ? expect("250 Ok", w.ask("hello\r\n.")) : r;
            w.ask("QUIT");
            return r;
        }
    }

    private static String expect(String expected, String actual) {
        return expected.equals(actual) ? "ok" : "expected " + expected + " but got " + actual;
    }
}
