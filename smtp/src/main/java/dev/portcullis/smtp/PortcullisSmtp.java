package dev.portcullis.smtp;

import dev.portcullis.Authenticator;
import dev.portcullis.Principal;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandlerFactory;
import org.subethamail.smtp.internal.proxy.ProxyHandler;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Puts Portcullis in front of a SubEthaSMTP server.
 *
 * <pre>{@code
 * SMTPServer server = PortcullisSmtp.configure(
 *         SMTPServer.port(587).hostName("smtp.example.com"),
 *         portcullis.authenticator(),
 *         SmtpOptions.builder().startTls(sslContext).build(),
 *         context -> new Outbox(PortcullisSmtp.principal(context).orElseThrow()))
 *     .build();
 * server.start();
 * }</pre>
 *
 * <p>What it sets on the builder: AUTH PLAIN, LOGIN, OAUTHBEARER and XOAUTH2 through the core's
 * SASL engine ({@code Authenticator.sasl}), {@code requireAuth}, the transport of the options (with
 * STARTTLS: {@code requireTLS}, so AUTH is neither offered nor accepted before the handshake), the
 * message handler factory (every {@code MAIL FROM} domain is authorized against the principal's
 * {@code messages:send} grants before the application's handler exists; recipients are
 * rate-limited), and the PROXY handler (the PROXY protocol for trusted peers; through it the
 * adapter also wraps SubEthaSMTP's commands for RFC 3207's replies and a graceful {@link #stop}).
 * Set none of these on the builder afterwards. Everything else (host name, limits, timeouts,
 * executor, session handler) stays the application's.
 */
public final class PortcullisSmtp {
    private PortcullisSmtp() {}

    /**
     * Configures {@code builder} and returns it.
     *
     * @param messages the application's handlers; each is created for a transaction whose sender
     *     Portcullis has authorized, and finds its principal with {@link #principal}
     */
    public static SMTPServer.Builder configure(SMTPServer.Builder builder, Authenticator authenticator,
            SmtpOptions options, MessageHandlerFactory messages) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(messages, "messages");
        // Every session starts in the control (it wraps SubEthaSMTP's commands and holds the sessions
        // for a graceful stop); it hands trusted PROXY peers on.
        SessionControl control = new SessionControl(
                options.proxies != null ? new TrustedProxyProtocol(options.proxies) : ProxyHandler.NOP);
        builder.authenticationHandlerFactory(new SaslAuthentication(authenticator, options.maxFailedAuth, control))
                .requireAuth(true)
                .messageHandlerFactory(new GuardedMessages(authenticator, options, messages))
                .proxyHandler(control);
        switch (options.transport) {
            case STARTTLS -> builder.requireTLS(true).hideTLS(false).showAuthCapabilitiesBeforeSTARTTLS(false)
                    .startTlsSocketFactory(socket -> serverSide(options.tls, socket));
            case IMPLICIT_TLS -> builder.requireTLS(true).hideTLS(true).serverSocketFactory(options.tls);
            case PLAINTEXT -> builder.requireTLS(false).enableTLS(false);
        }
        return builder;
    }

    /**
     * Stops a server {@link #configure configured} here without cutting a transaction short: new
     * connections get {@code 421 4.3.2 Service shutting down, try again later} instead of the
     * greeting; a session between commands gets the same {@code 421} and is closed; a session inside
     * a command (a DATA transfer, an AUTH exchange) finishes it, gets the {@code 421} and is closed.
     * After {@code grace}, or once no session is left, {@link SMTPServer#stop()} closes the listening
     * socket and whatever is still open. A server configured otherwise is just stopped.
     *
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public static void stop(SMTPServer server, Duration grace) {
        Objects.requireNonNull(server, "server");
        if (Objects.requireNonNull(grace, "grace").isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        try {
            if (server.isRunning() && server.getAuthenticationHandlerFactory().orElse(null) instanceof SaslAuthentication a) {
                a.control.drain(server, grace);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop at once, as asked
        } finally {
            server.stop();
        }
    }

    /**
     * Who authenticated on this connection: for the application's message handlers. Empty before
     * AUTH succeeded.
     */
    public static Optional<Principal> principal(MessageContext context) {
        return context.getAuthenticationHandler()
                .map(AuthenticationHandler::getIdentity)
                .filter(Principal.class::isInstance)
                .map(Principal.class::cast);
    }

    /**
     * The server end of STARTTLS with the context's default protocols and suites. SubEthaSMTP's
     * own factory enables every supported protocol and suite, and looks the peer's name up in DNS
     * on every handshake.
     */
    private static SSLSocket serverSide(SSLContext context, Socket socket) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory()
                .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
        s.setUseClientMode(false);
        return s;
    }
}
