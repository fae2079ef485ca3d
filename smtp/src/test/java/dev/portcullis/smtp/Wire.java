package dev.portcullis.smtp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A raw SMTP client for transcripts: one line out, one whole reply in. */
final class Wire implements AutoCloseable {
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    private Wire(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        use(socket);
    }

    /** Connects and reads the greeting. */
    static Wire connect(int port) throws IOException {
        Wire w = new Wire(new Socket(InetAddress.getLoopbackAddress(), port));
        w.expect("220 ");
        return w;
    }

    /** Connects with implicit TLS and reads the greeting. */
    static Wire connectTls(int port) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        Wire w = new Wire(handshake(plain));
        w.expect("220 ");
        return w;
    }

    /** Connects without reading anything, e.g. to send a PROXY header first. */
    static Wire open(int port) throws IOException {
        return new Wire(new Socket(InetAddress.getLoopbackAddress(), port));
    }

    private void use(Socket s) throws IOException {
        socket = s;
        in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        out = s.getOutputStream();
    }

    private static SSLSocket handshake(Socket plain) throws IOException {
        SSLContext c = TestTls.client();
        SSLSocket s = (SSLSocket) c.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true);
        s.setUseClientMode(true);
        s.startHandshake();
        return s;
    }

    /** Sends raw text as it is, in one write. */
    void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends one command line and returns the whole reply, lines joined by "\n". */
    String ask(String line) throws IOException {
        write(line + "\r\n");
        return reply();
    }

    /** The next whole reply, or {@code null} if the server closed the connection. */
    String reply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String l = in.readLine();
            if (l == null) {
                return lines.isEmpty() ? null : String.join("\n", lines);
            }
            lines.add(l);
            if (l.length() < 4 || l.charAt(3) != '-') {
                return String.join("\n", lines);
            }
        }
    }

    String expect(String prefix) throws IOException {
        String r = reply();
        if (r == null || !r.startsWith(prefix)) {
            throw new AssertionError("expected " + prefix + "… but got " + r);
        }
        return r;
    }

    /** STARTTLS and the handshake; afterwards the session starts over (EHLO again). */
    void startTls() throws IOException {
        String r = ask("STARTTLS");
        if (!r.startsWith("220 ")) {
            throw new AssertionError("STARTTLS refused: " + r);
        }
        upgrade();
    }

    /** The TLS handshake on the connection as it is (the 220 to STARTTLS already read). */
    void upgrade() throws IOException {
        use(handshake(socket));
    }

    /**
     * Whether the server has closed: a read sees the end of the stream (or the socket is reset).
     * Not if the read times out: the connection is still open.
     */
    boolean closedByServer() {
        try {
            return in.readLine() == null;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String plain(String user, String password) {
        return b64("\0" + user + "\0" + password);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
