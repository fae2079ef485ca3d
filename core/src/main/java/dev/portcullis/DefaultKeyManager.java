package dev.portcullis;

import dev.portcullis.internal.crypto.Base62;
import dev.portcullis.store.AccountRecord;
import dev.portcullis.store.KeyRecord;
import dev.portcullis.store.Page;
import dev.portcullis.store.StoreConflictException;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/** {@link KeyManager} on the shared {@link Portcullis.Settings}. */
final class DefaultKeyManager implements KeyManager {
    /** Generated SMTP passwords: 24 base62 characters, about 142 bits. */
    private static final int PASSWORD_LENGTH = 24;
    private static final int MAX_ATTEMPTS = 5;

    private final Portcullis.Settings s;
    private final SecureRandom random = new SecureRandom();

    DefaultKeyManager(Portcullis.Settings settings) {
        this.s = settings;
    }

    @Override
    public IssuedKey create(KeySpec spec) {
        Instant now = s.clock().instant();
        List<String> allowlist = canonicalAllowlist(spec.allowlist);
        Instant expiresAt = expiry(now, spec.expiresAt, spec.lifetime);
        for (int attempt = 0; ; attempt++) {
            String token = s.format().newToken();
            KeyRecord record = KeyRecord.builder()
                    .id(s.format().parse(token).keyId())
                    .account(spec.account)
                    .name(spec.name)
                    .kind(CredentialKind.API_KEY)
                    .prefix(s.format().prefix())
                    .secretHash(s.digests().encode(token))
                    .grants(spec.grants)
                    .allowlist(allowlist)
                    .rateLimit(spec.rateLimit)
                    .channels(spec.channels)
                    .createdAt(now)
                    .expiresAt(expiresAt)
                    .lifetime(spec.lifetime)
                    .build();
            try {
                return new IssuedKey(token, KeyInfo.of(s.store().save(record, 0)));
            } catch (StoreConflictException e) {
                if (attempt == MAX_ATTEMPTS - 1) {
                    throw e; // 12 random base62 characters colliding 5 times: the store is lying
                }
            }
        }
    }

    @Override
    public IssuedPassword createSmtpCredential(SmtpCredentialSpec spec) {
        Instant now = s.clock().instant();
        List<String> allowlist = canonicalAllowlist(spec.allowlist);
        Instant expiresAt = expiry(now, spec.expiresAt, spec.lifetime);
        String password = spec.password != null ? spec.password : randomBase62(PASSWORD_LENGTH);
        String hash = s.hasher().hash(password);
        Set<Channel> channels = spec.allowHttp ? EnumSet.of(Channel.SMTP, Channel.HTTP) : EnumSet.of(Channel.SMTP);
        for (int attempt = 0; ; attempt++) {
            KeyRecord record = KeyRecord.builder()
                    .id(randomBase62(KeyFormat.ID_LENGTH))
                    .account(spec.account)
                    .name(spec.name)
                    .kind(CredentialKind.PASSWORD)
                    .username(spec.username)
                    .secretHash(hash)
                    .passwordProfile(s.hasher().profile().id())
                    .grants(spec.grants)
                    .allowlist(allowlist)
                    .rateLimit(spec.rateLimit)
                    .channels(channels)
                    .createdAt(now)
                    .expiresAt(expiresAt)
                    .lifetime(spec.lifetime)
                    .build();
            try {
                return new IssuedPassword(password, KeyInfo.of(s.store().save(record, 0)));
            } catch (StoreConflictException e) {
                if (s.store().findByUsername(spec.username).isPresent() || attempt == MAX_ATTEMPTS - 1) {
                    throw e;
                }
            }
        }
    }

    @Override
    public Optional<KeyInfo> get(String id) {
        return s.store().findById(id).map(KeyInfo::of);
    }

    @Override
    public Page<KeyInfo> list(String account, String cursor, int limit) {
        Page<KeyRecord> page = s.store().listByAccount(account, cursor, limit);
        return new Page<>(page.items().stream().map(KeyInfo::of).toList(), page.nextCursor());
    }

    @Override
    public KeyInfo revoke(String id) {
        for (int attempt = 0; ; attempt++) {
            KeyRecord r = s.store().findById(id).orElseThrow(() -> new NoSuchElementException("no credential " + id));
            if (r.isRevoked()) {
                return KeyInfo.of(r);
            }
            try {
                return KeyInfo.of(s.store().save(r.toBuilder().revokedAt(s.clock().instant()).build(), r.version()));
            } catch (StoreConflictException e) {
                if (attempt == MAX_ATTEMPTS - 1) {
                    throw e;
                }
            }
        }
    }

    /** The absolute expiry a spec asks for, as of now; {@code null} for none. */
    Instant expiryOf(Instant at, Duration lifetime) {
        return at != null ? at : lifetime != null ? s.clock().instant().plus(lifetime) : null;
    }

    private static Instant expiry(Instant now, Instant at, Duration lifetime) {
        Instant e = at != null ? at : lifetime != null ? now.plus(lifetime) : null;
        if (e != null && !e.isAfter(now)) {
            throw new IllegalArgumentException("expiry must be in the future");
        }
        return e;
    }

    /** Each CIDR checked strictly and stored in canonical form. */
    private static List<String> canonicalAllowlist(List<String> cidrs) {
        return cidrs.stream().map(Cidrs::canonical).toList();
    }

    private String randomBase62(int n) {
        StringBuilder sb = new StringBuilder(n);
        Base62.random(random, sb, n);
        return sb.toString();
    }

    @Override
    public AccountRecord suspend(String account) {
        return updateAccount(account, a -> a.isSuspended() ? null : a.withSuspendedAt(s.clock().instant()));
    }

    @Override
    public AccountRecord resume(String account) {
        return updateAccount(account, a -> a.isSuspended() ? a.withSuspendedAt(null) : null);
    }

    @Override
    public AccountRecord setAccountRateLimit(String account, RateLimitPolicy policy) {
        return updateAccount(account, a -> java.util.Objects.equals(a.rateLimit(), policy) ? null : a.withRateLimit(policy));
    }

    /** Read, change, save with the read version; retried on conflict. {@code change} returns null for "nothing to do". */
    private AccountRecord updateAccount(String account, java.util.function.UnaryOperator<AccountRecord> change) {
        KeySpec.checkAccount(account);
        for (int attempt = 0; ; attempt++) {
            AccountRecord current = s.store().findAccount(account).orElse(AccountRecord.active(account));
            AccountRecord next = change.apply(current);
            if (next == null) {
                return current;
            }
            try {
                return s.store().saveAccount(next, current.version());
            } catch (StoreConflictException e) {
                if (attempt == MAX_ATTEMPTS - 1) {
                    throw e;
                }
            }
        }
    }

    @Override
    public KeyManager actingAs(Principal principal) {
        return new ScopedKeyManager(this, principal);
    }
}
