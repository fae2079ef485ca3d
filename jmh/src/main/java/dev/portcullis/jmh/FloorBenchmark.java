package dev.portcullis.jmh;

import dev.portcullis.KeyFormat;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under {@link HotPathBenchmark}: the same check composed by hand from the raw parts,
 * as cheaply as a careful hand-roller would (java.util.Base64, split at the colon,
 * {@link KeyFormat#parse}, SHA-256 with a per-thread digest, {@link MessageDigest#isEqual}, a
 * {@link ConcurrentHashMap} hit). No client address, no strict base64 or UTF-8 checks, no
 * expiry, channel or revocation checks, no bounded cache, no result object.
 */
@State(Scope.Thread) // one MessageDigest and output buffer per thread
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FloorBenchmark {
    /** What a hand-roller caches per key: account, digest of the whole token, one grant. */
    record Rec(String account, byte[] digest, String permission, String resource) {}

    private KeyFormat format;
    private String header;
    private String domain = "example.com";
    private final ConcurrentHashMap<String, Rec> records = new ConcurrentHashMap<>();
    private MessageDigest sha256;
    private final byte[] out = new byte[32];

    @Setup
    public void setup() throws NoSuchAlgorithmException {
        format = KeyFormat.withPrefix("bench");
        String token = format.newToken();
        header = HotPathBenchmark.basic("api", token);
        sha256 = MessageDigest.getInstance("SHA-256");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        records.put(format.parse(token).keyId(), new Rec("bench", digest, "messages:send", "example.com"));
        for (int i = 0; i < 1000; i++) { // a map that is not trivially small
            String other = format.newToken();
            records.put(format.parse(other).keyId(), new Rec("other", new byte[32], "messages:send", "example.org"));
        }
        if (floor() == null || floorRequire() == null || floorFull() == null) {
            throw new IllegalStateException("the floor must accept its own key");
        }
    }

    @Benchmark
    public Rec floor() {
        return check(header);
    }

    /**
     * Plus what issue 5 adds, by hand: a client-address parse and a 3-CIDR check on ints, the
     * grant check, and one Bucket4j take (SYNCHRONIZED: the cheapest strategy).
     */
    @Benchmark
    public Rec floorFull() {
        Rec r = check(header);
        if (r == null || !r.permission().equals("messages:send") || !r.resource().equals(domain)) {
            return null;
        }
        int a = ipv4(client);
        boolean allowed = false;
        for (int i = 0; i < NETWORKS.length; i++) {
            allowed |= (a & MASKS[i]) == NETWORKS[i];
        }
        return allowed && bucket.tryConsume(1) ? r : null;
    }

    private String client = "203.0.113.7";
    private static final int[] NETWORKS = {0xC6336400, 0x20010DB8, 0xCB007100}; // 198.51.100/24, a v6 stand-in, 203.0.113/24
    private static final int[] MASKS = {0xFFFFFF00, 0xFFFF0000, 0xFFFFFF00};
    private final io.github.bucket4j.Bucket bucket = io.github.bucket4j.Bucket.builder()
            .addLimit(l -> l.capacity(1_000_000_000L).refillGreedy(1_000_000_000L, java.time.Duration.ofSeconds(1)))
            .withSynchronizationStrategy(io.github.bucket4j.local.SynchronizationStrategy.SYNCHRONIZED).build();

    /** A dotted quad by hand, no validation beyond what the benchmark needs. */
    private static int ipv4(String s) {
        int v = 0;
        int part = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                v = v << 8 | part;
                part = 0;
            } else {
                part = part * 10 + (c - '0');
            }
        }
        return v << 8 | part;
    }

    /** Plus the grant check a hand-roller would write: two string compares. */
    @Benchmark
    public Rec floorRequire() {
        Rec r = check(header);
        return r != null && r.permission().equals("messages:send") && r.resource().equals(domain) ? r : null;
    }

    private Rec check(String h) {
        if (!h.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        byte[] raw = Base64.getDecoder().decode(h.substring(6));
        int colon = 0;
        while (colon < raw.length && raw[colon] != ':') {
            colon++;
        }
        if (colon != 3 || raw[0] != 'a' || raw[1] != 'p' || raw[2] != 'i') {
            return null;
        }
        int from = colon + 1;
        int n = raw.length - from;
        KeyFormat.Parsed p = format.parse(new String(raw, from, n, StandardCharsets.ISO_8859_1));
        if (!p.valid()) {
            return null;
        }
        Rec r = records.get(p.keyId());
        if (r == null) {
            return null;
        }
        sha256.update(raw, from, n); // the token's bytes straight from the decoded header
        try {
            sha256.digest(out, 0, out.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        return MessageDigest.isEqual(r.digest(), out) ? r : null;
    }
}
