package dev.portcullis;

import dev.portcullis.store.KeyRecord;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who an allowed request is: the credential's record as it was when the decision was made.
 * Exposes no secret: the record's hash never leaves it. Immutable.
 */
public final class Principal implements java.security.Principal {
    /** Kept whole rather than copied field by field, so an allowed request costs one small object. */
    private final KeyRecord record;
    private final ClientAddress client;

    private Principal(KeyRecord record, ClientAddress client) {
        this.record = record;
        this.client = client;
    }

    static Principal of(KeyRecord r, ClientAddress client) {
        return new Principal(r, client);
    }

    /** The record id: the key id of an API key, the credential id of an SMTP login. */
    public String keyId() { return record.id(); }
    public String account() { return record.account(); }
    /** The credential's display name (e.g. "billing mailer"). */
    public String displayName() { return record.name(); }
    public CredentialKind kind() { return record.kind(); }
    /** The SMTP username of a password credential; {@code null} for API keys. */
    public String username() { return record.username(); }
    public List<Grant> grants() { return record.grants(); }
    public Set<Channel> channels() { return record.channels(); }
    public Instant expiresAt() { return record.expiresAt(); }
    public long recordVersion() { return record.version(); }
    /** The client address it authenticated from ({@code null} if unparseable); {@code authorize} re-checks the allowlist against it. */
    public ClientAddress clientAddress() { return client; }

    /** The principal name for containers: the username of an SMTP login, else the key id. */
    @Override
    public String getName() {
        return record.username() != null ? record.username() : record.id();
    }

    /** Whether some grant gives {@code permission} (a concrete {@code noun:verb}) on any resource. */
    public boolean hasPermission(String permission) {
        for (Grant g : record.grants()) {
            if (g.permits(permission)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a grant gives {@code permission} on {@code resource} (canonicalised like a domain).
     * This is the grant check alone: ownership of the resource by another account is
     * {@link Authenticator#authorize}'s business, through {@code ResourceOwners}.
     */
    public boolean permits(String permission, String resource) {
        String canonical = Grant.canonicalResource(resource);
        if (canonical == null) {
            return false;
        }
        for (Grant g : record.grants()) {
            if (g.permits(permission) && g.covers(canonical)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The resource patterns on which {@code permission} is granted, to filter a collection:
     * {@code ["*"]} for every resource of the account, else exact names and {@code *.domain} patterns.
     */
    public List<String> resourcesFor(String permission) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (Grant g : record.grants()) {
            if (g.permits(permission)) {
                if (g.resourcePattern().equals("*")) {
                    return List.of("*");
                }
                out.add(g.resourcePattern());
            }
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "Principal[" + record.id() + ", account=" + record.account() + "]";
    }
}
