package dev.portcullis.smtp;

import static dev.portcullis.smtp.Wire.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.AuthEvent;
import dev.portcullis.DenyReason;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.RateLimitPolicy;
import dev.portcullis.Limit;

import org.junit.jupiter.api.Test;

/**
 * Where a client is (allowlists, PROXY protocol from trusted peers only) and how much it may do
 * (recipient limit, failure budgets), over STARTTLS.
 */
class SourcesAndLimitsTest {

    private static Wire tlsSession(Wire w) throws Exception {
        w.ask("EHLO client.test");
        w.startTls();
        w.ask("EHLO client.test");
        return w;
    }

    /** A connection through a load balancer at 127.0.0.1 that says the client is {@code client}. */
    private static Wire viaProxy(int port, String client) throws Exception {
        Wire w = Wire.open(port);
        w.write("PROXY TCP4 " + client + " 127.0.0.1 40000 587\r\n");
        w.expect("220 ");
        return tlsSession(w);
    }

    private static AuthEvent last(TestServer t) {
        return t.events.stream().reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void allowlistedAndOtherSourcesThroughATrustedProxy() throws Exception {
        SmtpOptions options = SmtpOptions.builder().startTls(TestTls.server()).proxyProtocolFrom("127.0.0.1/32").build();
        try (TestServer t = new TestServer(options)) {
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme")
                    .grant("messages:send", "example.com").allow("203.0.113.0/24").build());
            try (Wire w = viaProxy(t.port(), "203.0.113.9")) {
                assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain("api", key.token())));
                assertEquals("250 Ok", w.ask("MAIL FROM:<a@example.com>"));
            }
            assertEquals("203.0.113.9", last(t).clientAddress());
            try (Wire w = viaProxy(t.port(), "198.51.100.7")) {
                assertEquals("535 5.7.8 Authentication credentials invalid", w.ask("AUTH PLAIN " + plain("api", key.token())),
                        "DESIGN §4: IP_NOT_ALLOWED looks like any credential problem at AUTH");
            }
            assertEquals(DenyReason.IP_NOT_ALLOWED, last(t).reason());
            assertEquals("198.51.100.7", last(t).clientAddress());
        }
    }

    @Test
    void aTrustedPeerMustSendTheHeader() throws Exception {
        SmtpOptions options = SmtpOptions.builder().startTls(TestTls.server()).proxyProtocolFrom("127.0.0.0/8").build();
        try (TestServer t = new TestServer(options); Wire w = Wire.open(t.port())) {
            w.write("EHLO client.test\r\n"); // SubEthaSMTP reads the header before its greeting
            assertEquals("421 4.4.0 Problem attempting to execute commands. Please try again later.", w.reply());
            assertTrue(w.closedByServer());
        }
    }

    @Test
    void aProxyHeaderFromAnUntrustedPeerIsJustAnUnknownCommand() throws Exception {
        SmtpOptions options = SmtpOptions.builder().startTls(TestTls.server()).proxyProtocolFrom("10.0.0.0/8").build();
        try (TestServer t = new TestServer(options)) {
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme")
                    .grant("messages:send", "example.com").allow("203.0.113.0/24").build());
            try (Wire w = Wire.open(t.port())) {
                w.write("PROXY TCP4 203.0.113.9 127.0.0.1 40000 587\r\n");
                w.expect("220 ");
                assertEquals("500 Error: command not implemented", w.reply());
                tlsSession(w);
                assertEquals("535 5.7.8 Authentication credentials invalid", w.ask("AUTH PLAIN " + plain("api", key.token())));
            }
            assertEquals("127.0.0.1", last(t).clientAddress(), "the peer is the client");
        }
    }

    @Test
    void allowlistChangedMidSessionStopsTheNextMailFrom() throws Exception {
        try (TestServer t = new TestServer(SmtpOptions.builder().startTls(TestTls.server()).build())) {
            IssuedKey key = t.keys().create(KeySpec.builder().account("acme")
                    .grant("messages:send", "example.com").allow("127.0.0.0/8").build());
            try (Wire w = tlsSession(Wire.connect(t.port()))) {
                assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain("api", key.token())));
                t.keys().update(key.id(), dev.portcullis.KeyUpdate.builder().allowlist("203.0.113.0/24").build());
                assertEquals("550 5.7.1 Not authorized to send as this sender", w.ask("MAIL FROM:<a@example.com>"),
                        "DESIGN §4: IP_NOT_ALLOWED is 550 5.7.1 at MAIL");
            }
            assertEquals(DenyReason.IP_NOT_ALLOWED, last(t).reason());
        }
    }

    @Test
    void eachAcceptedRecipientCostsOneOfTheKeysAndTheAccountsLimits() throws Exception {
        SmtpOptions options = SmtpOptions.builder().startTls(TestTls.server()).build();
        try (TestServer t = new TestServer(options)) {
            RateLimitPolicy threePerHour = RateLimitPolicy.of(Limit.perHour(3));
            IssuedKey one = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com")
                    .rateLimit(threePerHour).build());
            IssuedKey two = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com")
                    .rateLimit(threePerHour).build());
            try (Wire w = tlsSession(Wire.connect(t.port()))) {
                assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain("api", one.token())),
                        "logging in is free: it takes none of the three");
                w.ask("MAIL FROM:<a@example.com>");
                for (int i = 0; i < 3; i++) {
                    assertEquals("250 Ok", w.ask("RCPT TO:<r" + i + "@elsewhere.test>"));
                }
                assertEquals("450 4.7.1 Rate limit exceeded, try again later", w.ask("RCPT TO:<r3@elsewhere.test>"));
                assertEquals("354 End data with <CR><LF>.<CR><LF>", w.ask("DATA"), "the accepted recipients still get it");
                assertEquals("250 Ok", w.ask("hi\r\n."));
                assertEquals("250 Ok", w.ask("MAIL FROM:<a@example.com>"));
                assertEquals("450 4.7.1 Rate limit exceeded, try again later", w.ask("RCPT TO:<r4@elsewhere.test>"),
                        "the limit spans transactions");
            }
            try (Wire w = tlsSession(Wire.connect(t.port()))) {
                w.ask("AUTH PLAIN " + plain("api", two.token()));
                w.ask("MAIL FROM:<a@example.com>");
                assertEquals("250 Ok", w.ask("RCPT TO:<r@elsewhere.test>"), "another key has its own bucket");
            }
            assertEquals(3, t.deliveries.remove().recipients().size());
        }
        try (TestServer t = new TestServer(options)) {
            t.keys().setAccountRateLimit("acme", RateLimitPolicy.of(Limit.perHour(1)));
            IssuedKey one = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            IssuedKey two = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
            String[] replies = new String[2];
            int i = 0;
            for (IssuedKey k : new IssuedKey[] {one, two}) {
                try (Wire w = tlsSession(Wire.connect(t.port()))) {
                    w.ask("AUTH PLAIN " + plain("api", k.token()));
                    w.ask("MAIL FROM:<a@example.com>");
                    replies[i++] = w.ask("RCPT TO:<r@elsewhere.test>");
                }
            }
            assertEquals("250 Ok", replies[0]);
            assertEquals("450 4.7.1 Rate limit exceeded, try again later", replies[1], "one bucket for the account");
        }
    }

    @Test
    void aKeyOutOfCreditsGets452ForTheNextRecipientAndKeepsThoseItPaidFor() throws Exception {
        SmtpOptions options = SmtpOptions.builder().startTls(TestTls.server()).build();
        try (TestServer t = new TestServer(options)) {
            IssuedKey trial = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com")
                    .credits(2).build());
            try (Wire w = tlsSession(Wire.connect(t.port()))) {
                w.ask("AUTH PLAIN " + plain("api", trial.token()));
                assertEquals("250 Ok", w.ask("MAIL FROM:<a@example.com>"));
                assertEquals("250 Ok", w.ask("RCPT TO:<r0@elsewhere.test>"));
                assertEquals("250 Ok", w.ask("RCPT TO:<r1@elsewhere.test>"));
                assertEquals("452 4.5.3 Out of credits for more recipients, try again later", w.ask("RCPT TO:<r2@elsewhere.test>"),
                        "RFC 5321 §4.5.3.1.10: 452 keeps the recipients accepted so far");
                assertEquals("354 End data with <CR><LF>.<CR><LF>", w.ask("DATA"));
                assertEquals("250 Ok", w.ask("hi\r\n."));
            }
            assertEquals(2, t.deliveries.remove().recipients().size());
            assertEquals(0L, t.keys().get(trial.id()).orElseThrow().credits());
            assertEquals(DenyReason.CREDITS_EXHAUSTED, last(t).reason());
            t.keys().addCredits(trial.id(), 1);
            try (Wire w = tlsSession(Wire.connect(t.port()))) {
                w.ask("AUTH PLAIN " + plain("api", trial.token()));
                w.ask("MAIL FROM:<a@example.com>");
                assertEquals("250 Ok", w.ask("RCPT TO:<r3@elsewhere.test>"), "topped up by one");
                assertEquals("452 4.5.3 Out of credits for more recipients, try again later", w.ask("RCPT TO:<r4@elsewhere.test>"));
            }
        }
    }

    @Test
    void failureBudgetsAnswer454ThenTheConnectionCloses() throws Exception {
        SmtpOptions options = SmtpOptions.builder().startTls(TestTls.server()).maxFailedAuthPerConnection(5).build();
        try (TestServer t = new TestServer(options,
                b -> b.failureBudgets(Limit.perHour(2), Limit.perHour(2), Limit.perHour(100)))) {
            IssuedKey login = t.keys().createSmtpCredential(KeySpec.builder()
                    .account("acme").username("postmaster@example.com").grant("messages:send", "example.com").build());
            try (Wire w = tlsSession(Wire.connect(t.port()))) {
                assertEquals("535 5.7.8 Authentication credentials invalid", w.ask("AUTH PLAIN " + plain(login.username(), "guess1")));
                assertEquals("535 5.7.8 Authentication credentials invalid", w.ask("AUTH PLAIN " + plain(login.username(), "guess2")));
                assertEquals("454 4.7.0 Temporary authentication failure, try again later",
                        w.ask("AUTH PLAIN " + plain(login.username(), login.password())),
                        "over budget: not even the right password is tried");
                assertEquals(DenyReason.TOO_MANY_FAILURES, last(t).reason());
                long events = t.events.size();
                assertEquals("421 4.7.0 Too many failed authentication attempts, closing connection",
                        w.ask("AUTH PLAIN " + plain(login.username(), login.password())));
                assertTrue(w.closedByServer());
                assertEquals(events, t.events.size());
            }
            try (Wire w = tlsSession(Wire.connect(t.port()))) {
                assertEquals("454 4.7.0 Temporary authentication failure, try again later",
                        w.ask("AUTH PLAIN " + plain(login.username(), login.password())), "a new connection starts with 454 again");
            }
        }
    }
}
