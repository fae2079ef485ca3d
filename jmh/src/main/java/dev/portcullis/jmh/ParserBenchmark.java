package dev.portcullis.jmh;

import dev.portcullis.ClientAddress;
import dev.portcullis.KeyFormat;
import dev.portcullis.internal.wire.AuthorizationParser;
import dev.portcullis.internal.wire.ParseResult;
import dev.portcullis.internal.wire.SaslLine;
import dev.portcullis.internal.wire.SaslPlain;
import dev.portcullis.internal.wire.SaslResult;
import inet.ipaddr.AddressStringParameters;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
 * The Parse stage: Authorization header forms, a SASL PLAIN line, and client address literals,
 * with IPAddress's general parser (strict parameters) as the baseline for the hand-written one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParserBenchmark {
    private static final IPAddressStringParameters STRICT = new IPAddressStringParameters.Builder().allowEmpty(false)
            .allowSingleSegment(false).allowAll(false).allowWildcardedSeparator(false)
            .getIPv4AddressParametersBuilder().allow_inet_aton(false).allowLeadingZeros(false).getParentBuilder()
            .setRangeOptions(AddressStringParameters.RangeParameters.NO_RANGE).toParams();

    private final AuthorizationParser parser = AuthorizationParser.builder().build();
    private String basicKey;
    private String basicPassword;
    private String basicBadBase64;
    private String bearer;
    private String saslPlainLine;
    private final String ipv4 = "203.0.113.195";
    private final String ipv6 = "2001:db8:85a3::8a2e:370:7334";

    @Setup
    public void setup() {
        String key = KeyFormat.withPrefix("bench").newToken();
        basicKey = "Basic " + base64("api:" + key);
        basicPassword = "Basic " + base64("postmaster@example.com:correct horse battery staple");
        // Same length as a real one, refused at the first character outside the base64 alphabet.
        basicBadBase64 = basicKey.substring(0, 20) + "-" + basicKey.substring(21);
        bearer = "Bearer " + key;
        saslPlainLine = base64("\0postmaster@example.com\0correct horse battery staple");
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Benchmark
    public ParseResult basicApiKey() {
        return parser.parse(basicKey);
    }

    @Benchmark
    public ParseResult basicPassword() {
        return parser.parse(basicPassword);
    }

    @Benchmark
    public ParseResult basicBadBase64() {
        return parser.parse(basicBadBase64);
    }

    @Benchmark
    public ParseResult bearer() {
        return parser.parse(bearer);
    }

    @Benchmark
    public SaslResult saslPlainLine() {
        return SaslPlain.parse(SaslLine.decode(saslPlainLine).data());
    }

    @Benchmark
    public ClientAddress ipv4() {
        return ClientAddress.parse(ipv4);
    }

    @Benchmark
    public ClientAddress ipv6() {
        return ClientAddress.parse(ipv6);
    }

    @Benchmark
    public IPAddress ipv4GeneralParser() {
        return new IPAddressString(ipv4, STRICT).getAddress();
    }

    @Benchmark
    public IPAddress ipv6GeneralParser() {
        return new IPAddressString(ipv6, STRICT).getAddress();
    }
}
