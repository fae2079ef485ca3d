package dev.portcullis.smtp;

import static dev.portcullis.smtp.Wire.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PortcullisSmtp#stop}: a transaction in DATA finishes, sessions between commands get
 * {@code 421 4.3.2} and the close, new connections get the same instead of the greeting, and only
 * then does the server stop listening.
 */
class GracefulStopTest {
    private static final String SHUTTING_DOWN = "421 4.3.2 Service shutting down, try again later";

    private final TestServer t = new TestServer(SmtpOptions.builder().startTls(TestTls.server()).build());
    private final IssuedKey key = t.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());

    @AfterEach
    void close() {
        t.close();
    }

    private Wire authenticated() throws Exception {
        Wire w = Wire.connect(t.port());
        w.ask("EHLO client.test");
        w.startTls();
        w.ask("EHLO client.test");
        assertEquals("235 Authentication successful.", w.ask("AUTH PLAIN " + plain("api", key.token())));
        return w;
    }

    /** A session inside DATA: the message half sent, no final dot yet. */
    private Wire inData() throws Exception {
        Wire w = authenticated();
        assertEquals("250 Ok", w.ask("MAIL FROM:<news@example.com>"));
        assertEquals("250 Ok", w.ask("RCPT TO:<someone@elsewhere.test>"));
        assertEquals("354 End data with <CR><LF>.<CR><LF>", w.ask("DATA"));
        w.write("Subject: stopping\r\n\r\nthe first half,\r\n");
        return w;
    }

    @Test
    void aTransactionInDataFinishesWhileIdleSessionsAndNewConnectionsGet421() throws Exception {
        try (Wire transfer = inData();
                Wire idle = authenticated();
                Wire betweenCommandsOfATransaction = authenticated();
                Wire beforeTls = Wire.connect(t.port())) {
            assertEquals("250 Ok", betweenCommandsOfATransaction.ask("MAIL FROM:<news@example.com>"));
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> PortcullisSmtp.stop(t.server, Duration.ofMinutes(2)));

            for (Wire w : new Wire[] {idle, betweenCommandsOfATransaction, beforeTls}) {
                assertEquals(SHUTTING_DOWN, w.reply(), "RFC 5321 §3.8: 421, unasked, then the close");
                assertTrue(w.closedByServer());
            }
            try (Wire late = Wire.open(t.port())) {
                assertEquals(SHUTTING_DOWN, late.reply(), "a new connection gets 421 instead of the greeting");
                assertTrue(late.closedByServer());
            }
            assertFalse(stopping.isDone(), "the transaction in DATA holds the stop");

            transfer.write("and the second.\r\n.\r\n");
            assertEquals("250 Ok", transfer.reply(), "the transaction is accepted");
            assertEquals(SHUTTING_DOWN, transfer.reply(), "then the session is between commands, and goes");
            assertTrue(transfer.closedByServer());
            stopping.get(60, TimeUnit.SECONDS);
        }
        TestServer.Delivery d = t.deliveries.remove();
        assertTrue(new String(d.data(), StandardCharsets.UTF_8).contains("the first half,\r\nand the second."));
        assertTrue(t.deliveries.isEmpty(), "the transaction of the idle session was dropped, not delivered");
        assertFalse(t.server.isRunning());
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), t.port()).close(),
                "and nothing listens any more");
    }

    @Test
    void aClientThatGoesSilentAfterItsLast421DoesNotHoldTheStop() throws Exception {
        try (Wire transfer = inData(); Wire idle = authenticated()) {
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> PortcullisSmtp.stop(t.server, Duration.ofMinutes(2)));
            assertEquals(SHUTTING_DOWN, idle.reply(), "the stop is draining");
            transfer.write("and the second.\r\n.\r\n");
            assertEquals("250 Ok", transfer.reply());
            assertEquals(SHUTTING_DOWN, transfer.reply());
            // Neither client reads on nor closes, so no TLS close_notify comes back. The session
            // that closed itself after its last command must not wait for one (the JDK would, up
            // to the server's read timeout of a minute) while the stop waits on that session.
            stopping.get(30, TimeUnit.SECONDS);
            assertFalse(t.server.isRunning());
        }
        assertEquals(1, t.deliveries.size(), "the finished transaction was delivered");
    }

    @Test
    void afterTheGraceWhatIsLeftIsCut() throws Exception {
        // A grace long enough for the idle session's last command to have left the server's
        // command loop on a loaded machine (the client reads 235 before the server thread is
        // out of AUTH); the transfer never finishes, so only the grace ends the stop.
        Duration grace = Duration.ofSeconds(2);
        try (Wire transfer = inData(); Wire idle = authenticated()) {
            long start = System.nanoTime();
            PortcullisSmtp.stop(t.server, grace);
            assertTrue(System.nanoTime() - start >= grace.toNanos(), "the open transfer holds the stop for the whole grace");
            assertEquals(SHUTTING_DOWN, idle.reply());
            assertTrue(idle.closedByServer());
            assertTrue(transfer.closedByServer(), "a transfer still running when the grace is over is cut");
        }
        assertTrue(t.deliveries.isEmpty(), "a cut message is never delivered");
        assertFalse(t.server.isRunning());
    }

    @Test
    void aZeroGraceCutsATransferAtOnce() throws Exception {
        try (Wire transfer = inData()) {
            long start = System.nanoTime();
            PortcullisSmtp.stop(t.server, Duration.ZERO);
            // Far below the server's read timeout of a minute, which a cut that waited on the
            // silent client's TLS close_notify would take.
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "the stop does not wait on the client");
            assertTrue(transfer.closedByServer(), "no grace: the transfer is cut");
        }
        assertTrue(t.deliveries.isEmpty(), "a cut message is never delivered");
        assertFalse(t.server.isRunning());
    }

    @Test
    void stopRefusesANegativeGraceAndStopsAServerThatNeverHadASession() {
        assertThrows(IllegalArgumentException.class, () -> PortcullisSmtp.stop(t.server, Duration.ofSeconds(-1)));
        assertTrue(t.server.isRunning());
        PortcullisSmtp.stop(t.server, Duration.ofSeconds(5));
        assertFalse(t.server.isRunning());
    }
}
