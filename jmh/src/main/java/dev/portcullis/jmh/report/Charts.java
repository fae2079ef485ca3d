package dev.portcullis.jmh.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.jmh.ScaleBenchmark;
import dev.portcullis.jmh.report.Svg.Kind;
import dev.portcullis.jmh.report.Svg.Panel;
import dev.portcullis.jmh.report.Svg.Val;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Turns one JMH JSON result file ({@code -rf json}) into the report: an SVG chart per series
 * under {@code charts/}, a markdown table per series, and a table of every result. The tables
 * replace the text between {@code <!-- report:NAME -->} and {@code <!-- /report:NAME -->} in the
 * given markdown file, so the page is refreshed from one run without copying figures by hand.
 *
 * <pre>
 * java -cp jmh/target/benchmarks.jar dev.portcullis.jmh.report.Charts \
 *     docs/bench/jmh-report.json docs/bench/machine.properties docs/charts docs/benchmarks.md docs/bench/jmh-report.md
 * </pre>
 *
 * A series whose benchmarks are missing from the JSON is reported and skipped; the exit status
 * is then 2, so a script notices.
 */
public final class Charts {
    /** One JMH result. Times are in ns per op; throughput in ops/µs. */
    record Result(String bench, Map<String, String> params, String mode, int threads, double score, double error,
            String unit, double bytes, Map<String, Double> secondary) {
        Val time() {
            double f = nsPer(unit);
            return new Val(score * f, error * f);
        }

        Val alloc() {
            return new Val(bytes, Double.NaN);
        }
    }

    private final List<Result> results = new ArrayList<>();
    private final Properties machine = new Properties();
    private final List<String> caption = new ArrayList<>();
    private final Map<String, String> sections = new LinkedHashMap<>();
    private final List<String> missing = new ArrayList<>();
    private final Path chartDir;

    private Charts(Path json, Path machineFile, Path chartDir) throws IOException {
        this.chartDir = chartDir;
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        for (JsonNode n : root) {
            Map<String, String> params = new TreeMap<>();
            JsonNode p = n.get("params");
            if (p != null) {
                p.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            }
            JsonNode pm = n.get("primaryMetric");
            Map<String, Double> secondary = new TreeMap<>();
            JsonNode sm = n.get("secondaryMetrics");
            double bytes = Double.NaN;
            if (sm != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = sm.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    secondary.put(e.getKey(), e.getValue().get("score").asDouble());
                }
                bytes = secondary.getOrDefault("gc.alloc.rate.norm", Double.NaN);
            }
            String bench = n.get("benchmark").asText();
            bench = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1); // Class.method
            results.add(new Result(bench, params, n.get("mode").asText(), n.get("threads").asInt(),
                    pm.get("score").asDouble(), number(pm.get("scoreError")), pm.get("scoreUnit").asText(), bytes, secondary));
        }
        if (Files.exists(machineFile)) {
            try (Reader r = Files.newBufferedReader(machineFile, StandardCharsets.UTF_8)) {
                machine.load(r);
            }
        }
        JsonNode first = root.size() > 0 ? root.get(0) : null;
        String vm = first == null ? "?" : first.get("vmName").asText() + " " + first.get("vmVersion").asText();
        String jmh = first == null ? "?" : first.get("jmhVersion").asText();
        caption.add("Command: " + machine.getProperty("command", "bash jmh/report.sh"));
        caption.add("Machine: " + machine.getProperty("cpu", "?") + ", " + machine.getProperty("cores", "?") + " cores, "
                + machine.getProperty("memory", "?") + " RAM; " + machine.getProperty("os", "?"));
        caption.add("JVM: " + vm + "; JMH " + jmh + "; run " + machine.getProperty("date", "?")
                + "; load average " + machine.getProperty("loadStart", "?") + " at start, " + machine.getProperty("loadEnd", "?") + " at end");
        caption.add("± is JMH's 99.9 % confidence interval over the measured iterations; B/op is gc.alloc.rate.norm (-prof gc).");
    }

    private static double number(JsonNode n) {
        if (n == null || !n.isNumber()) {
            return Double.NaN; // JMH writes "NaN" as a string
        }
        return n.asDouble();
    }

    static double nsPer(String unit) {
        return switch (unit) {
            case "ns/op" -> 1;
            case "us/op" -> 1e3;
            case "ms/op" -> 1e6;
            case "s/op" -> 1e9;
            default -> 1; // throughput units are kept as they are
        };
    }

    private Result find(String bench, String... params) {
        outer:
        for (Result r : results) {
            if (!r.bench().equals(bench)) {
                continue;
            }
            for (int i = 0; i < params.length; i += 2) {
                if (!params[i + 1].equals(r.params().get(params[i]))) {
                    continue outer;
                }
            }
            return r;
        }
        missing.add(bench + (params.length > 0 ? " " + String.join("=", params) : ""));
        return null;
    }

    private static Val time(Result r) {
        return r == null ? null : r.time();
    }

    private static Val alloc(Result r) {
        return r == null || Double.isNaN(r.bytes()) ? null : r.alloc();
    }

    private static String t(Result r) {
        return r == null ? "—" : Svg.format(Kind.TIME_NS, r.time().score(), r.time().error(), false);
    }

    private static String bytes(Result r) {
        return r == null || Double.isNaN(r.bytes()) ? "—" : Svg.format(Kind.BYTES, r.bytes(), Double.NaN, false);
    }

    private static String ratio(Result a, Result b) {
        if (a == null || b == null) {
            return "—";
        }
        double x = a.time().score() / b.time().score();
        return (x >= 100 ? String.format(Locale.ROOT, "%,.0f", x) : String.format(Locale.ROOT, "%.1f", x)) + "×";
    }

    private void write(String name, String title, List<String> categories, List<String> series, List<Panel> panels) throws IOException {
        Files.createDirectories(chartDir);
        Files.writeString(chartDir.resolve(name + ".svg"), Svg.chart(title, categories, series, panels, caption), StandardCharsets.UTF_8);
    }

    private void hotPath() throws IOException {
        String[][] rows = {
            {"cached key", "HotPathBenchmark.authenticate", "FloorBenchmark.floor"},
            {"+ require(messages:send, example.com)", "HotPathBenchmark.authenticateRequire", "FloorBenchmark.floorRequire"},
            {"+ 3-CIDR allowlist + rate-limit take", "HotPathBenchmark.authenticateFull", "FloorBenchmark.floorFull"},
        };
        List<String> cats = new ArrayList<>();
        Val[][] ns = new Val[rows.length][2];
        Val[][] b = new Val[rows.length][2];
        StringBuilder md = new StringBuilder("| | Portcullis | floor | ratio | Portcullis B/op | floor B/op |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < rows.length; i++) {
            Result p = find(rows[i][1]);
            Result f = find(rows[i][2]);
            cats.add(rows[i][0]);
            ns[i] = new Val[] {time(p), time(f)};
            b[i] = new Val[] {alloc(p), alloc(f)};
            md.append("| ").append(rows[i][0]).append(" | ").append(t(p)).append(" | ").append(t(f)).append(" | ")
                    .append(ratio(p, f)).append(" | ").append(bytes(p)).append(" | ").append(bytes(f)).append(" |\n");
        }
        write("hotpath-floor", "Hot path against its hand-composed floor (one cached key)", cats, List.of("Portcullis", "floor"),
                List.of(new Panel("time per request", Kind.TIME_NS, false, ns), new Panel("allocated per request", Kind.BYTES, false, b)));
        sections.put("hotpath", md.toString());
    }

    private void scale() throws IOException {
        List<String> cats = new ArrayList<>();
        List<Val[]> ns = new ArrayList<>();
        List<Val[]> b = new ArrayList<>();
        List<Val[]> hit = new ArrayList<>();
        StringBuilder md = new StringBuilder("| keys in the store | cache size | time per request | B/op | hit ratio measured | ideal top-N hit ratio |\n|---|---|---|---|---|---|\n");
        Result one = find("HotPathBenchmark.authenticate");
        cats.add("1 key (HotPathBenchmark)");
        ns.add(new Val[] {time(one)});
        b.add(new Val[] {alloc(one)});
        hit.add(new Val[] {null});
        md.append("| 1 (HotPathBenchmark.authenticate) | default | ").append(t(one)).append(" | ").append(bytes(one)).append(" | not counted (one key: cached from its first request) | 100 % |\n");
        for (String k : new String[] {"1000", "100000", "1000000"}) {
            Result r = find("ScaleBenchmark.zipfRequests", "keys", k);
            int keys = Integer.parseInt(k);
            int cache = Math.max(1, (int) ((long) keys * Integer.parseInt(r == null ? "10" : r.params().getOrDefault("cachePercent", "10")) / 100));
            cats.add(String.format(Locale.ROOT, "%,d keys, Zipf", keys));
            ns.add(new Val[] {time(r)});
            b.add(new Val[] {alloc(r)});
            Double ratio = null;
            if (r != null && r.secondary().containsKey("requests") && r.secondary().get("requests") > 0) {
                ratio = 1 - r.secondary().getOrDefault("storeLookups", 0.0) / r.secondary().get("requests");
            }
            hit.add(new Val[] {ratio == null ? null : new Val(ratio, Double.NaN)});
            md.append(String.format(Locale.ROOT, "| %,d | %,d | %s | %s | %s | %.1f %% |%n", keys, cache, t(r), bytes(r),
                    ratio == null ? "—" : String.format(Locale.ROOT, "%.1f %%", 100 * ratio), 100 * ScaleBenchmark.idealHitRatio(keys, cache, 1.0)));
        }
        write("scale", "Hot path with many keys: Zipf(s = 1) requests, cache = keys / 10", cats, List.of("Portcullis"),
                List.of(new Panel("time per request", Kind.TIME_NS, false, ns.toArray(Val[][]::new)),
                        new Panel("allocated per request", Kind.BYTES, false, b.toArray(Val[][]::new)),
                        new Panel("record-cache hit ratio (measured: 1 − store lookups / requests)", Kind.PERCENT, false, hit.toArray(Val[][]::new),
                                "not counted: one key, cached from its first request")));
        sections.put("scale", md.toString());
    }

    private void allowlist() throws IOException {
        String[] sizes = {"1", "10", "1000", "100000"};
        List<String> cats = new ArrayList<>();
        Val[][] ns = new Val[sizes.length][2];
        Val[][] b = new Val[sizes.length][2];
        StringBuilder md = new StringBuilder("| CIDR blocks | Portcullis (`Allowlist.permits`) | linear scan (IPAddress `contains`) | linear / Portcullis | Portcullis B/op | linear B/op |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < sizes.length; i++) {
            Result p = find("AllowlistBenchmark.portcullis", "blocks", sizes[i]);
            Result l = find("AllowlistBenchmark.linearScan", "blocks", sizes[i]);
            String label = String.format(Locale.ROOT, "%,d block%s", Integer.parseInt(sizes[i]), sizes[i].equals("1") ? "" : "s");
            cats.add(label);
            ns[i] = new Val[] {time(p), time(l)};
            b[i] = new Val[] {alloc(p), alloc(l)};
            md.append("| ").append(label).append(" | ").append(t(p)).append(" | ").append(t(l)).append(" | ")
                    .append(ratio(l, p)).append(" | ").append(bytes(p)).append(" | ").append(bytes(l)).append(" |\n");
        }
        write("allowlist", "Allowlist size: Portcullis (int scan, or a hash set per prefix length) vs linear scan", cats,
                List.of("Portcullis", "linear scan"),
                List.of(new Panel("time per check, probe in the last block", Kind.TIME_NS, true, ns),
                        new Panel("allocated per check", Kind.BYTES, false, b)));
        sections.put("allowlist", md.toString());
    }

    private void logins() throws IOException {
        String[][] rows = {
            {"first login: Argon2id verify", "LoginBenchmark.firstLoginArgon2"},
            {"cached AUTH PLAIN exchange", "LoginBenchmark.cachedPlain"},
            {"cached AUTH LOGIN exchange (3 lines)", "LoginBenchmark.cachedLogin"},
        };
        List<String> cats = new ArrayList<>();
        Val[][] ns = new Val[rows.length][1];
        Val[][] b = new Val[rows.length][1];
        Result first = find(rows[0][1]);
        StringBuilder md = new StringBuilder("| | time per login | B/op | first / this |\n|---|---|---|---|\n");
        for (int i = 0; i < rows.length; i++) {
            Result r = i == 0 ? first : find(rows[i][1]);
            cats.add(rows[i][0]);
            ns[i] = new Val[] {time(r)};
            b[i] = new Val[] {alloc(r)};
            md.append("| ").append(rows[i][0]).append(" | ").append(t(r)).append(" | ").append(bytes(r)).append(" | ")
                    .append(i == 0 ? "1×" : ratio(first, r)).append(" |\n");
        }
        write("logins", "SMTP password logins: first (Argon2id, m = 19,456 KiB, t = 2, p = 1) vs cached", cats, List.of("Portcullis"),
                List.of(new Panel("time per login", Kind.TIME_NS, true, ns), new Panel("allocated per login (JVM heap only)", Kind.BYTES, true, b)));
        sections.put("logins", md.toString());
    }

    private void peer() throws IOException {
        Result sf = find("SpringPeerBenchmark.springFirst");
        Result sr = find("SpringPeerBenchmark.springRepeated");
        Result pf = find("SpringPeerBenchmark.portcullisFirst");
        Result pr = find("SpringPeerBenchmark.portcullisRepeated");
        List<String> cats = List.of("a user's first request", "repeated request");
        Val[][] ns = {{time(sf), time(pf)}, {time(sr), time(pr)}};
        // A first request's B/op would include its per-call setup (a new user and its hash), so it is left out.
        Val[][] b = {{null, null}, {alloc(sr), alloc(pr)}};
        String md = "| `Basic user:password` | Spring Security | Portcullis | Spring / Portcullis | Spring B/op | Portcullis B/op |\n|---|---|---|---|---|---|\n"
                + "| a user's first request | " + t(sf) + " | " + t(pf) + " | " + ratio(sf, pf) + " | n/a¹ | n/a¹ |\n"
                + "| repeated request | " + t(sr) + " | " + t(pr) + " | " + ratio(sr, pr) + " | " + bytes(sr) + " | " + bytes(pr) + " |\n";
        write("spring-peer", "Basic user:password: Spring Security DaoAuthenticationProvider vs Portcullis (same Argon2id)", cats,
                List.of("Spring Security 7.0 + Argon2PasswordEncoder", "Portcullis"),
                List.of(new Panel("time per request", Kind.TIME_NS, true, ns), new Panel("allocated per request (JVM heap only)", Kind.BYTES, true, b,
                        "n/a: would count the per-call setup (a new user, hashed)")));
        sections.put("peer", md + "\n¹ JMH's allocation profiler counts the per-call setup too (a new user and its Argon2 hash), so a first request's B/op is not given.\n");
    }

    private void threads() throws IOException {
        Result one = find("ThreadsBenchmark.oneThread");
        Result two = find("ThreadsBenchmark.twoThreads");
        List<String> cats = List.of("1 thread", "2 threads, distinct keys");
        Val[][] tp = {{one == null ? null : new Val(one.score(), one.error())}, {two == null ? null : new Val(two.score(), two.error())}};
        Val[][] b = {{alloc(one)}, {alloc(two)}};
        StringBuilder md = new StringBuilder("| threads | requests per µs, all threads | time per request per thread | B/op | scaling |\n|---|---|---|---|---|\n");
        for (Result r : new Result[] {one, two}) {
            if (r == null) {
                continue;
            }
            md.append("| ").append(r.threads()).append(" | ").append(Svg.format(Kind.THROUGHPUT_PER_US, r.score(), r.error(), false))
                    .append(" | ").append(Svg.format(Kind.TIME_NS, r.threads() * 1000 / r.score(), Double.NaN, false))
                    .append(" | ").append(bytes(r)).append(" | ")
                    .append(one == null ? "—" : String.format(Locale.ROOT, "%.2f×", r.score() / one.score())).append(" |\n");
        }
        write("threads", "Hot path on 1 and 2 threads (2-core machine: reported, not gated)", cats, List.of("Portcullis"),
                List.of(new Panel("throughput, all threads together", Kind.THROUGHPUT_PER_US, false, tp),
                        new Panel("allocated per request", Kind.BYTES, false, b)));
        sections.put("threads", md.toString());
    }

    /** The parts of the hot path, one row each, with what they do. */
    private void parts() {
        String[][] rows = {
            {"KeyFormatBenchmark.parseValid", "prefix, length, base62, CRC32, id substring"},
            {"KeyFormatBenchmark.parseBadChecksum", "a refused checksum"},
            {"TokenDigestBenchmark.sha256", "SHA-256 of the token + `isEqual`, per-thread digest"},
            {"TokenDigestBenchmark.hmacSha256", "HMAC-SHA-256 under a pepper"},
            {"TokenDigestBenchmark.matchDummySha256", "the unknown-id path, SHA-256: the same work"},
            {"TokenDigestBenchmark.matchDummyHmac", "the unknown-id path, HMAC"},
            {"ParserBenchmark.basicApiKey", "`Basic api:KEY`"},
            {"ParserBenchmark.basicPassword", "`Basic user:password`"},
            {"ParserBenchmark.basicBadBase64", "a refused header"},
            {"ParserBenchmark.bearer", "`Bearer KEY`"},
            {"ParserBenchmark.saslPlainLine", "RFC 4954 line + RFC 4616 message"},
            {"ParserBenchmark.ipv4", "`ClientAddress.parse`, IPv4"},
            {"ParserBenchmark.ipv4GeneralParser", "IPAddress's strict general parser, IPv4"},
            {"ParserBenchmark.ipv6", "`ClientAddress.parse`, IPv6"},
            {"ParserBenchmark.ipv6GeneralParser", "IPAddress's strict general parser, IPv6"},
            {"Argon2Benchmark.verify", "one Argon2id verification, m = 19,456 KiB, t = 2, p = 1 (native, off-heap)"},
        };
        StringBuilder md = new StringBuilder("| benchmark | time per op | B/op | what |\n|---|---|---|---|\n");
        for (String[] row : rows) {
            Result r = find(row[0]);
            md.append("| `").append(row[0]).append("` | ").append(t(r)).append(" | ").append(bytes(r)).append(" | ").append(row[1]).append(" |\n");
        }
        sections.put("parts", md.toString());
    }

    private String allResults() {
        StringBuilder md = new StringBuilder("| benchmark | params | mode | threads | score | ± | unit | B/op |\n|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            md.append("| `").append(r.bench()).append("` | ").append(r.params().isEmpty() ? "" : r.params().toString())
                    .append(" | ").append(r.mode()).append(" | ").append(r.threads()).append(" | ")
                    .append(Svg.number(r.score(), false)).append(" | ")
                    .append(Double.isNaN(r.error()) ? "" : Svg.number(r.error(), false, r.score())).append(" | ")
                    .append(r.unit()).append(" | ")
                    .append(Double.isNaN(r.bytes()) ? "" : String.format(Locale.ROOT, "%,.0f", r.bytes())).append(" |\n");
        }
        return md.toString();
    }

    private String machineSection() {
        return String.join("  \n", caption) + "\n";
    }

    /** Replaces each {@code <!-- report:NAME -->…<!-- /report:NAME -->} block's body. */
    static String splice(String doc, Map<String, String> sections) {
        for (Map.Entry<String, String> e : sections.entrySet()) {
            String open = "<!-- report:" + e.getKey() + " -->";
            String close = "<!-- /report:" + e.getKey() + " -->";
            int a = doc.indexOf(open);
            int z = doc.indexOf(close);
            if (a < 0 || z < a) {
                continue;
            }
            doc = doc.substring(0, a + open.length()) + "\n" + e.getValue() + doc.substring(z);
        }
        return doc;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: Charts RESULT.json MACHINE.properties CHART_DIR [DOC.md [ALL_RESULTS.md]]");
            System.exit(64);
        }
        Charts c = new Charts(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        c.hotPath();
        c.scale();
        c.allowlist();
        c.logins();
        c.peer();
        c.threads();
        c.parts();
        c.sections.put("machine", c.machineSection());
        for (Map.Entry<String, String> e : c.sections.entrySet()) {
            System.out.println("## " + e.getKey() + "\n\n" + e.getValue());
        }
        if (args.length > 3) {
            Path doc = Path.of(args[3]);
            Files.writeString(doc, splice(Files.readString(doc, StandardCharsets.UTF_8), c.sections), StandardCharsets.UTF_8);
        }
        if (args.length > 4) {
            Files.writeString(Path.of(args[4]), "# All results of the last report run\n\nGenerated by `jmh/report.sh` from "
                    + "[`jmh-report.json`](jmh-report.json); do not edit.\n\n" + c.machineSection() + "\n" + c.allResults(), StandardCharsets.UTF_8);
        }
        if (!c.missing.isEmpty()) {
            System.err.println("missing from the JSON, left out: " + c.missing);
            System.exit(2);
        }
    }
}
