package dev.portcullis.jmh;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.Portcullis;
import dev.portcullis.KeySpec;
import dev.portcullis.spi.CredentialStore;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * The Java peer: Spring Security's {@link DaoAuthenticationProvider} (behind a
 * {@link ProviderManager}, as an application wires it) over an {@link InMemoryUserDetailsManager},
 * with {@link Argon2PasswordEncoder} at Portcullis' default parameters (Argon2id, salt 16 B,
 * hash 32 B, p = 1, m = 19,456 KiB, t = 2: argon2-jvm's defaults for salt and hash length and
 * {@code Argon2Parameters.OWASP_MINIMUM}), on repeated {@code Basic user:password} requests;
 * against Portcullis' {@code authenticate} of the same header for an SMTP credential allowed
 * on HTTP, first and repeated.
 *
 * <p>Spring has no servlet request here, so the header is decoded the way its
 * {@code BasicAuthenticationConverter} does: trim, the {@code Basic } scheme case-insensitive,
 * base64, UTF-8, split at the first colon, {@code UsernamePasswordAuthenticationToken.unauthenticated}.
 * Spring verifies the password with Argon2 on every request: it caches no verification (its
 * optional {@code UserCache} caches the user record, and the password is still checked), so its
 * first and repeated requests do the same work; both are measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SpringPeerBenchmark {
    private static final String USER = "bench@example.com";

    private ProviderManager spring;
    private InMemoryUserDetailsManager users;
    private Argon2PasswordEncoder encoder;
    private Portcullis portcullis;
    private Authenticator authenticator;
    private String header;
    private String client = "203.0.113.7";
    private final AtomicInteger fresh = new AtomicInteger();

    /** A credential made just before each first-login call, outside the measurement. */
    @State(Scope.Thread)
    public static class Fresh {
        String header;

        /** Its hash is made here (Argon2, ~30 ms), not timed; its first login has not happened. */
        @Setup(Level.Invocation)
        public void next(SpringPeerBenchmark b) {
            String user = "first" + b.fresh.getAndIncrement() + "@example.com";
            IssuedKey p = b.portcullis.keys().createSmtpCredential(KeySpec.builder()
                    .account("bench").username(user).allowHttp().build());
            header = HotPathBenchmark.basic(user, p.password());
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        portcullis = Portcullis.builder().store(CredentialStore.inMemory()).keyFormat(KeyFormat.withPrefix("bench")).build();
        authenticator = portcullis.authenticator();
        IssuedKey p = portcullis.keys().createSmtpCredential(KeySpec.builder()
                .account("bench").username(USER).allowHttp().build());
        header = HotPathBenchmark.basic(USER, p.password());

        encoder = new Argon2PasswordEncoder(16, 32, 1, 19456, 2);
        users = new InMemoryUserDetailsManager(
                User.withUsername(USER).password(encoder.encode(p.password())).roles("USER").build());
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(users);
        provider.setPasswordEncoder(encoder);
        spring = new ProviderManager(provider);

        if (!springRepeated().isAuthenticated()) {
            throw new IllegalStateException("Spring must authenticate the user");
        }
        HotPathBenchmark.requireAllowed(portcullisRepeated(), "portcullisRepeated");
        Fresh f = new Fresh();
        f.next(this);
        HotPathBenchmark.requireAllowed(portcullisFirst(f), "portcullisFirst");
        SpringFresh sf = new SpringFresh();
        sf.next(this);
        if (!springFirst(sf).isAuthenticated()) {
            throw new IllegalStateException("Spring must authenticate a new user");
        }
    }

    /** The same for Spring: a new user, its hash made here with the encoder (not timed). */
    @State(Scope.Thread)
    public static class SpringFresh {
        String header;

        @Setup(Level.Invocation)
        public void next(SpringPeerBenchmark b) {
            String user = "spring" + b.fresh.getAndIncrement() + "@example.com";
            byte[] random = new byte[18];
            java.util.concurrent.ThreadLocalRandom.current().nextBytes(random);
            String password = Base64.getEncoder().encodeToString(random);
            b.users.createUser(User.withUsername(user).password(b.encoder.encode(password)).roles("USER").build());
            header = HotPathBenchmark.basic(user, password);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        portcullis.close();
    }

    /** Spring: every request is one Argon2id verification. */
    @Benchmark
    public Authentication springRepeated() {
        return spring.authenticate(springToken(header));
    }

    /**
     * Spring, a user's first request: the same work as a repeated one (Spring caches no
     * verification), measured rather than assumed.
     */
    @Benchmark
    public Authentication springFirst(SpringFresh f) {
        return spring.authenticate(springToken(f.header));
    }

    /** Portcullis, the same header again: answered by the login cache (an HMAC), no Argon2. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public AuthResult portcullisRepeated() {
        return authenticator.authenticate(AuthRequest.http(header, client));
    }

    /** Portcullis, a credential's first request: store lookup and one Argon2id verification (argon2-jvm, native). */
    @Benchmark
    public AuthResult portcullisFirst(Fresh f) {
        AuthResult r = authenticator.authenticate(AuthRequest.http(f.header, client));
        HotPathBenchmark.requireAllowed(r, "portcullisFirst"); // nanoseconds against milliseconds: a BUSY or denial must not be timed
        return r;
    }

    /** What Spring's BasicAuthenticationConverter does with the header. */
    static UsernamePasswordAuthenticationToken springToken(String authorization) {
        String h = authorization.trim();
        if (!h.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new BadCredentialsException("not Basic");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(h.substring(6).getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new BadCredentialsException("Failed to decode basic authentication token");
        }
        String token = new String(decoded, StandardCharsets.UTF_8);
        int colon = token.indexOf(':');
        if (colon == -1) {
            throw new BadCredentialsException("Invalid basic authentication token");
        }
        return UsernamePasswordAuthenticationToken.unauthenticated(token.substring(0, colon), token.substring(colon + 1));
    }
}
