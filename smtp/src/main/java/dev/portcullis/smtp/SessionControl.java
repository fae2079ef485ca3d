package dev.portcullis.smtp;

import dev.portcullis.AuthResult.SmtpReply;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.proxy.ProxyHandler;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

/**
 * What the adapter puts around SubEthaSMTP's commands: RFC 3207 to the letter, and graceful
 * shutdown.
 * <ul>
 * <li>Once TLS is on, EHLO no longer offers STARTTLS (RFC 3207 §4.2; SubEthaSMTP 7.1.7 to 7.2.2
 *     still does).</li>
 * <li>With TLS required, every command but EHLO, NOOP, QUIT and STARTTLS gets
 *     {@code 530 5.7.0 Must issue a STARTTLS command first} (RFC 3207 §4, with the enhanced code
 *     SubEthaSMTP leaves out), before any other check.</li>
 * <li>{@link #drain}: new connections get {@code 421 4.3.2} instead of the greeting; a session
 *     between commands gets {@code 421 4.3.2} and is closed; a session inside a command (a DATA
 *     transfer, an AUTH exchange) finishes it, then gets the same.</li>
 * </ul>
 * SubEthaSMTP's builder takes no commands, so they go into the server's {@link CommandHandler}
 * when its first session starts: this class is also the server's PROXY handler, which every
 * session runs before its greeting (it hands trusted peers on to {@link TrustedProxyProtocol}).
 */
final class SessionControl implements ProxyHandler {
    static final SmtpReply SHUTTING_DOWN = new SmtpReply(421, "4.3.2", "Service shutting down, try again later");
    static final String TLS_FIRST = "530 5.7.0 Must issue a STARTTLS command first";
    /** RFC 3207 §4: what a server that requires TLS still takes before the handshake. */
    private static final Set<String> BEFORE_TLS = Set.of("EHLO", "NOOP", "QUIT", "STARTTLS");

    private final ProxyHandler proxies;
    private volatile boolean installed;
    private volatile boolean draining;
    /** Every session this server started; weak: a session that ended is no one's concern. */
    private final Map<Session, Activity> sessions = Collections.synchronizedMap(new WeakHashMap<>());

    SessionControl(ProxyHandler proxies) {
        this.proxies = proxies;
    }

    /** One session as a shutdown sees it; guarded by its own monitor, which is never held across I/O. */
    private static final class Activity {
        boolean inCommand;
        /** The 421 and the close are decided, once: by the drain or by the session's own thread. */
        boolean closing;
        /** And done: the drain waits for this, so the server's stop never overtakes a close under way. */
        boolean closed;
    }

    @Override
    public ProxyResult handle(InputStream in, OutputStream out, Session session) throws IOException {
        install(session.getServer());
        sessions.put(session, new Activity());
        if (draining) {
            return new ProxyResult(SHUTTING_DOWN.code(), SHUTTING_DOWN.enhanced() + " " + SHUTTING_DOWN.text());
        }
        return proxies.handle(in, out, session);
    }

    /** Wraps every command of the server once; every session passes here (under this monitor) before its first command. */
    private void install(SMTPServer server) {
        if (installed) {
            return;
        }
        synchronized (this) {
            if (installed) {
                return;
            }
            CommandHandler handler = server.getCommandHandler();
            for (String verb : List.copyOf(handler.getVerbs())) {
                Command command = verb.equals("EHLO") ? new Ehlo() : handler.getCommand(verb);
                handler.addCommand(new Tracked(command, !BEFORE_TLS.contains(verb)));
            }
            installed = true;
        }
    }

    /**
     * Closes the server's sessions gracefully, at most {@code grace} long: new connections and
     * sessions between commands get {@code 421 4.3.2} and the close at once, a session inside a
     * command when it is done. Returns when none is left or the time is up; the caller then stops
     * the server, which cuts whatever is left.
     */
    void drain(SMTPServer server, Duration grace) throws InterruptedException {
        install(server);
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (true) {
            boolean open = false;
            for (Map.Entry<Session, Activity> e : snapshot()) {
                Session s = e.getKey();
                Activity a = e.getValue();
                boolean cut;
                synchronized (a) {
                    if (!a.closing && s.getSocket().isClosed()) {
                        a.closing = a.closed = true; // ended on its own (QUIT, the client hung up)
                    }
                    cut = !a.closing && !a.inCommand;
                    a.closing |= cut;
                    open |= !cut && !a.closed;
                }
                if (cut) {
                    close(s, a);
                }
            }
            long left = deadline - System.nanoTime();
            if (!open || left <= 0) {
                for (Map.Entry<Session, Activity> e : snapshot()) {
                    noReadTimeout(e.getKey()); // the server's stop closes what is left: without waiting on clients
                }
                return;
            }
            Thread.sleep(Math.max(1, Math.min(20, left / 1_000_000)));
        }
    }

    private List<Map.Entry<Session, Activity>> snapshot() {
        synchronized (sessions) {
            return new ArrayList<>(sessions.entrySet());
        }
    }

    private Activity activity(Session s) {
        return sessions.computeIfAbsent(s, k -> new Activity());
    }

    /**
     * {@code 421 4.3.2} and the close, outside any monitor: the write and the close are I/O, and a
     * drain waiting on a session's monitor would wait on its client.
     */
    private static void close(Session s, Activity a) {
        try {
            try {
                s.sendResponse(SHUTTING_DOWN.line());
            } catch (IOException e) {
                // the client is gone already
            }
            noReadTimeout(s);
            s.quit();
        } finally {
            synchronized (a) {
                a.closed = true;
            }
        }
    }

    /**
     * The JDK's TLS close waits up to the read timeout for the client's close_notify when the
     * closing thread can take the socket's read lock (a session closing itself after its last
     * command, a stop cutting a session inside a command); without a timeout it takes only what
     * has already arrived. A read already waiting keeps its timeout, and the close wakes it.
     */
    private static void noReadTimeout(Session s) {
        try {
            s.getSocket().setSoTimeout(0);
        } catch (IOException e) {
            // closed already: nothing to wait for
        }
    }

    /** A command of the server, checked for TLS first and marked as running while it runs. */
    private final class Tracked implements Command {
        private final Command command;
        private final boolean needsTls;

        Tracked(Command command, boolean needsTls) {
            this.command = command;
            this.needsTls = needsTls;
        }

        @Override
        public void execute(String commandString, Session s) throws IOException, DropConnectionException {
            Activity a = activity(s);
            boolean refused;
            synchronized (a) {
                if (a.closing) {
                    return; // a shutdown answered this session between the read and here
                }
                refused = draining;
                a.closing = refused;
                a.inCommand = !refused;
            }
            if (refused) {
                close(s, a);
                return;
            }
            try {
                if (needsTls && s.getServer().getRequireTLS() && !s.isTLSStarted()) {
                    s.sendResponse(TLS_FIRST);
                } else {
                    command.execute(commandString, s);
                }
            } finally {
                boolean done;
                synchronized (a) {
                    a.inCommand = false;
                    done = draining && !a.closing; // the transaction this command ended is done: now the session goes
                    a.closing |= done;
                }
                if (done) {
                    close(s, a);
                }
            }
        }

        @Override
        public HelpMessage getHelp() throws CommandException {
            return command.getHelp();
        }

        @Override
        public String getName() {
            return command.getName();
        }
    }

    /**
     * SubEthaSMTP's EHLO reply, line for line, except that STARTTLS is offered only before the
     * handshake (RFC 3207 §4.2).
     */
    private static final class Ehlo extends BaseCommand {
        Ehlo() {
            super("EHLO", "Introduce yourself.", "<hostname>");
        }

        @Override
        public void execute(String commandString, Session s) throws IOException {
            String[] args = getArgs(commandString);
            if (args.length < 2) {
                s.sendResponse("501 Syntax: EHLO hostname");
                return;
            }
            s.resetMailTransaction();
            s.setHelo(args[1]);
            SMTPServer server = s.getServer();
            List<String> lines = new ArrayList<>();
            lines.add(server.getHostName());
            lines.add("8BITMIME");
            if (server.getMaxMessageSize() > 0) {
                lines.add("SIZE " + server.getMaxMessageSize());
            }
            if (server.getEnableTLS() && !server.getHideTLS() && !s.isTLSStarted()) {
                lines.add("STARTTLS");
            }
            lines.add("CHUNKING");
            lines.add("SMTPUTF8");
            Optional<AuthenticationHandlerFactory> auth = server.getAuthenticationHandlerFactory();
            boolean showAuth = auth.isPresent()
                    && (s.isTLSStarted() || !server.getRequireTLS() || server.getShowAuthCapabilitiesBeforeSTARTTLS());
            if (showAuth && !auth.get().getAuthenticationMechanisms().isEmpty()) {
                lines.add("AUTH " + String.join(" ", auth.get().getAuthenticationMechanisms()));
            }
            lines.add("Ok");
            StringBuilder reply = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                reply.append(i == 0 ? "" : "\r\n").append(i == lines.size() - 1 ? "250 " : "250-").append(lines.get(i));
            }
            s.sendResponse(reply.toString());
        }
    }
}
