package dev.portcullis.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.AuthResult;
import dev.portcullis.IssuedKey;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Revocation across two JVMs: node A and node B are separate {@code java} processes, each with its
 * own HikariCP pool, {@link JdbcCredentialStore} at default settings and {@code Portcullis}, over
 * one embedded PostgreSQL started by this process. Not a test (nothing asserts); run by
 * {@code jdbc/bench/revocation-two-jvms.sh}, see {@code docs/benchmarks.md}.
 *
 * <p>Each trial: A creates a key; B authenticates it until it is cached; B then authenticates it
 * every 0.1 ms; after a random pause of 0 to 1 s (a random phase against B's 1 s poll) A calls
 * {@code revoke()}; the delay is from {@code revoke()} returning on A to B's first denial.
 * Both processes read {@link System#nanoTime()}, which on Linux is {@code CLOCK_MONOTONIC}, one
 * clock for every process on the machine, so the two readings can be subtracted.
 *
 * <pre>
 * options: --trials N (100)  --warmup N (10, not counted)  --no-push  --poll-ms N (default: the store's, 1 s)
 *          --out FILE (jdbc/target/revocation-two-jvms.txt)
 * </pre>
 */
public final class RevocationAcrossJvms {
    private RevocationAcrossJvms() {}

    public static void main(String[] args) throws Exception {
        int trials = 100;
        int warmup = 10;
        boolean push = true;
        long pollMs = 0;
        Path out = Path.of("jdbc", "target", "revocation-two-jvms.txt");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--no-push" -> push = false;
                case "--poll-ms" -> pollMs = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        String loadBefore = loadAverage();
        List<Double> fromReturn = new ArrayList<>();
        List<Double> fromCall = new ArrayList<>();
        int timeouts = 0;
        try (EmbeddedPostgres pg = Databases.postgres()) {
            Path logs = out.toAbsolutePath().getParent();
            try (Child a = Child.start("A", pg.getPort(), push, pollMs, logs);
                    Child b = Child.start("B", pg.getPort(), push, pollMs, logs)) {
                System.out.println("node A: " + a.ready + "; node B: " + b.ready);
                for (int trial = 0; trial < warmup + trials; trial++) {
                    String[] key = a.ask("create", "key");
                    b.ask("warm " + key[2], "warm");
                    b.ask("watch " + key[2], "watching");
                    Thread.sleep(ThreadLocalRandom.current().nextLong(1000));
                    String[] revoked = a.ask("revoke " + key[1], "revoked");
                    String[] denied = b.read();
                    if (!denied[0].equals("denied")) {
                        System.out.println("trial " + trial + ": B did not deny within 10 s: " + String.join(" ", denied));
                        timeouts++;
                        continue;
                    }
                    long called = Long.parseLong(revoked[1]);
                    long returned = Long.parseLong(revoked[2]);
                    long seen = Long.parseLong(denied[1]);
                    if (trial >= warmup) {
                        fromReturn.add((seen - returned) / 1e6);
                        fromCall.add((seen - called) / 1e6);
                    }
                }
            }
        }
        String loadAfter = loadAverage();
        String settings = (push ? "push on" : "push off") + ", poll " + (pollMs > 0 ? pollMs + " ms" : "1 s (default)");
        StringBuilder report = new StringBuilder();
        report.append("revocation across two JVMs, ").append(settings).append(", ").append(fromReturn.size())
                .append(" trials (after ").append(warmup).append(" warm-up), ").append(timeouts).append(" not denied within 10 s\n");
        report.append("  from revoke() returning on A to B's first denial: ").append(summary(fromReturn)).append('\n');
        report.append("  from revoke() being called on A:                  ").append(summary(fromCall)).append('\n');
        report.append("  run ").append(Instant.now()).append("; ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores; load average ").append(loadBefore).append(" at start, ").append(loadAfter).append(" at end; ")
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version")).append('\n');
        List<Double> sorted = new ArrayList<>(fromReturn);
        Collections.sort(sorted);
        report.append("  all (ms, from return, sorted): ").append(sorted.stream().map(RevocationAcrossJvms::ms).toList()).append('\n');
        System.out.print(report);
        Files.writeString(out, report.toString());
        System.out.println("written to " + out);
        if (timeouts > 0) {
            System.exit(1);
        }
    }

    /** Nearest-rank percentiles. */
    static String summary(List<Double> values) {
        if (values.isEmpty()) {
            return "no trials";
        }
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return "min " + ms(s.get(0)) + " ms, p50 " + ms(rank(s, 0.50)) + " ms, p90 " + ms(rank(s, 0.90)) + " ms, p99 "
                + ms(rank(s, 0.99)) + " ms, max " + ms(s.get(s.size() - 1)) + " ms";
    }

    private static double rank(List<Double> sorted, double q) {
        return sorted.get(Math.max(0, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** One node process, driven line by line over its standard input and output. */
    private static final class Child implements AutoCloseable {
        private final String name;
        private final Process process;
        private final PrintWriter in;
        private final BufferedReader outLines;
        private String ready;

        private Child(String name, Process process) {
            this.name = name;
            this.process = process;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            this.outLines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static Child start(String name, int port, boolean push, long pollMs, Path logs) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    NodeProcess.class.getName(), String.valueOf(port), "bench_", String.valueOf(push), String.valueOf(pollMs));
            pb.redirectError(logs.resolve("revocation-node-" + name + ".log").toFile());
            Child c = new Child(name, pb.start());
            c.ready = String.join(" ", c.read());
            if (!c.ready.startsWith("ready")) {
                throw new IllegalStateException("node " + name + " did not start: " + c.ready);
            }
            return c;
        }

        String[] read() throws IOException {
            String line = outLines.readLine();
            if (line == null) {
                throw new IllegalStateException("node " + name + " exited (see its log)");
            }
            return line.split(" ");
        }

        String[] ask(String command, String expected) throws IOException {
            in.println(command);
            String[] reply = read();
            if (!reply[0].equals(expected)) {
                throw new IllegalStateException("node " + name + " answered " + String.join(" ", reply) + " to " + command);
            }
            return reply;
        }

        @Override
        public void close() throws InterruptedException {
            in.println("quit");
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The main class of a node process. */
    public static final class NodeProcess {
        private NodeProcess() {}

        public static void main(String[] args) throws Exception {
            int port = Integer.parseInt(args[0]);
            String prefix = args[1];
            boolean push = Boolean.parseBoolean(args[2]);
            long pollMs = Long.parseLong(args[3]);
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            try (HikariDataSource pool = Databases.pool(port, 4, Duration.ofSeconds(1))) {
                JdbcCredentialStore.Builder builder = JdbcCredentialStore.builder(pool).tablePrefix(prefix);
                if (!push) {
                    builder.pushChanges(false);
                }
                if (pollMs > 0) {
                    builder.pollInterval(Duration.ofMillis(pollMs));
                }
                try (Node node = new Node(builder.build())) {
                    out.println("ready pushConnected=" + node.store.pushConnected() + " poll=" + node.store.pollInterval());
                    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                    for (String line; (line = in.readLine()) != null; ) {
                        String[] cmd = line.split(" ");
                        switch (cmd[0]) {
                            case "create" -> {
                                IssuedKey k = node.newKey();
                                out.println("key " + k.id() + " " + k.token());
                            }
                            case "warm" -> {
                                boolean ok = node.authenticate(cmd[1]).allowed() && node.authenticate(cmd[1]).allowed();
                                out.println(ok ? "warm" : "warm-failed");
                            }
                            case "watch" -> {
                                if (!node.authenticate(cmd[1]).allowed()) {
                                    out.println("watch-failed");
                                    continue;
                                }
                                out.println("watching");
                                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                                AuthResult r;
                                while ((r = node.authenticate(cmd[1])).allowed() && System.nanoTime() < deadline) {
                                    LockSupport.parkNanos(100_000);
                                }
                                long seen = System.nanoTime();
                                out.println(r.allowed() ? "timeout" : "denied " + seen + " " + r.reason());
                            }
                            case "revoke" -> {
                                long called = System.nanoTime();
                                node.portcullis.keys().revoke(cmd[1]);
                                long returned = System.nanoTime();
                                out.println("revoked " + called + " " + returned);
                            }
                            case "quit" -> {
                                return;
                            }
                            default -> out.println("unknown " + line);
                        }
                    }
                }
            }
        }
    }
}
