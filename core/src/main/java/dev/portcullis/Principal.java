package dev.portcullis;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who an allowed request is: the credential's record as it was when the decision was made.
 * Holds no secret. Immutable.
 */
public final class Principal implements java.security.Principal {
    private final String keyId;
    private final String account;
    private final String name;
    private final CredentialKind kind;
    private final String username;
    private final List<Grant> grants;
    private final Set<Channel> channels;
    private final Instant expiresAt;
    private final long recordVersion;
    private final ClientAddress client;

    Principal(String keyId, String account, String name, CredentialKind kind, String username,
            List<Grant> grants, Set<Channel> channels, Instant expiresAt, long recordVersion, ClientAddress client) {
        this.keyId = keyId;
        this.account = account;
        this.name = name;
        this.kind = kind;
        this.username = username;
        this.grants = grants;
        this.channels = channels;
        this.expiresAt = expiresAt;
        this.recordVersion = recordVersion;
        this.client = client;
    }

    static Principal of(dev.portcullis.store.KeyRecord r, ClientAddress client) {
        return new Principal(r.id(), r.account(), r.name(), r.kind(), r.username(), r.grants(), r.channels(),
                r.expiresAt(), r.version(), client);
    }

    /** The record id: the key id of an API key, the credential id of an SMTP login. */
    public String keyId() { return keyId; }
    public String account() { return account; }
    /** The credential's display name (e.g. "billing mailer"). */
    public String displayName() { return name; }
    public CredentialKind kind() { return kind; }
    /** The SMTP username of a password credential; {@code null} for API keys. */
    public String username() { return username; }
    public List<Grant> grants() { return grants; }
    public Set<Channel> channels() { return channels; }
    public Instant expiresAt() { return expiresAt; }
    public long recordVersion() { return recordVersion; }
    /** The client address it authenticated from ({@code null} if unparseable); {@code authorize} re-checks the allowlist against it. */
    public ClientAddress clientAddress() { return client; }

    /** The principal name for containers: the username of an SMTP login, else the key id. */
    @Override
    public String getName() {
        return username != null ? username : keyId;
    }

    /** Whether some grant gives {@code permission} (a concrete {@code noun:verb}) on any resource. */
    public boolean hasPermission(String permission) {
        for (Grant g : grants) {
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
        for (Grant g : grants) {
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
        for (Grant g : grants) {
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
        return "Principal[" + keyId + ", account=" + account + "]";
    }
}
