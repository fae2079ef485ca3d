package dev.portcullis.spring;

import static org.junit.jupiter.api.Assertions.fail;

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
 * A real {@code redis-server} on 127.0.0.1 and a free port, as the redis module's tests start it
 * (redis/src/test/java/dev/portcullis/redis/RedisServer.java): nothing persisted, stopped by its PID.
 * The binary comes from {@code $REDIS_SERVER} or the PATH; without it the test fails, never skips.
 */
final class RedisServer implements AutoCloseable {
    private final int port;
    private final Path log;
    private final Process process;

    private RedisServer(String binary, int port) throws IOException {
        this.port = port;
        this.log = Files.createTempFile("redis-" + port + "-", ".log");
        this.process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
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
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        fail("redis-server did not answer PING within 10 s on port " + port);
    }

    static RedisServer start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return new RedisServer(binary(), port);
    }

    private static String binary() {
        String env = System.getenv("REDIS_SERVER");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return env;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "redis-server");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return fail("redis-server not found on PATH (nor $REDIS_SERVER): this test needs a real Redis. "
                + "Install it, e.g. `apt-get update && apt-get install -y redis-server`.");
    }

    int port() {
        return port;
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

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }
}
