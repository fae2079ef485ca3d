package dev.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on 127.0.0.1 and a free port, started and stopped by a test, with
 * nothing persisted; for the tests of the Redis rate limiter and of anything wired to it. The binary
 * comes from {@code $REDIS_SERVER} or the PATH; without it the test fails, never skips (install it
 * with {@code apt-get install -y redis-server}). It speaks to the server only to wait for its
 * {@code PING}, so it brings no Redis client.
 */
public final class RedisServer implements AutoCloseable {
    private final String binary;
    private final int port;
    private final Path log;
    private Process process;

    private RedisServer(String binary, int port) throws IOException {
        this.binary = binary;
        this.port = port;
        this.log = Files.createTempFile("redis-" + port + "-", ".log");
    }

    /** Starts a server on a free loopback port and waits until it answers {@code PING}. */
    public static RedisServer start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RedisServer server = new RedisServer(binary(), port);
        server.restart();
        return server;
    }

    private static String binary() {
        String env = System.getenv("REDIS_SERVER");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return env;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "redis-server");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return fail("redis-server not found on PATH (nor $REDIS_SERVER): this test needs a real Redis. "
                + "Install it, e.g. `apt-get update && apt-get install -y redis-server`.");
    }

    public int port() {
        return port;
    }

    /** Starts the server (again, on the same port) and waits until it answers {@code PING}. */
    public void restart() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("redis-server exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            if (pong()) {
                return;
            }
            sleep(20);
        }
        kill();
        fail("redis-server did not answer PING within 10 s on port " + port + ":\n" + Files.readString(log));
    }

    private boolean pong() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[7];
            InputStream in = s.getInputStream();
            return in.readNBytes(buf, 0, 7) == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL, by this process's PID: an outage, not a shutdown. */
    public void kill() {
        if (process == null) {
            return;
        }
        // SIGKILL ends a stopped (paused) process too.
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server " + process.pid() + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP: Redis hangs, its connections stay open, nothing is answered. */
    public void pause() {
        signal("-STOP");
    }

    /** SIGCONT after {@link #pause()}: Redis answers what it was sent meanwhile, in order. */
    public void resume() {
        signal("-CONT");
    }

    private void signal(String sig) {
        try {
            Process kill = new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + sig + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@link Thread#sleep}, with an interrupt kept and turned into an unchecked exception. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        kill();
        Files.deleteIfExists(log);
    }
}
