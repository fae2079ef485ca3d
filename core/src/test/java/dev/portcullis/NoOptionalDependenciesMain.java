package dev.portcullis;

import dev.portcullis.spi.CredentialStore;
import dev.portcullis.Portcullis.Argon2Parameters;
import dev.portcullis.Portcullis.Health;
import dev.portcullis.SaslExchange.SaslStep;

/** Run by {@link OptionalDependenciesTest} in a JVM whose class path has neither SLF4J nor Micrometer. */
public final class NoOptionalDependenciesMain {
    private NoOptionalDependenciesMain() {}

    public static void main(String[] args) {
        try (Portcullis p = Portcullis.builder().store(CredentialStore.inMemory()).keyFormat(KeyFormat.withPrefix("kat"))
                .argon2(new Argon2Parameters(8192, 1, 1)).listener(e -> {}).build()) {
            IssuedKey k = p.keys().create(KeySpec.builder().account("acme").rateLimit(RateLimitPolicy.of(Limit.perHour(5))).build());
            AuthResult r = p.authenticator().authenticate(AuthRequest.apiKey(k.token(), "203.0.113.7"));
            IssuedKey pw = p.keys().createSmtpCredential(KeySpec.builder().account("acme").username("a@example.com").build());
            SaslStep s = p.authenticator().sasl("PLAIN", "203.0.113.7", true)
                    .respond(java.util.Base64.getEncoder().encodeToString(("\0a@example.com\0" + pw.password()).getBytes()));
            System.out.println(r.allowed() && s.result().allowed() && p.health().status() == Health.Status.UP ? "ok" : "failed");
        }
    }
}
