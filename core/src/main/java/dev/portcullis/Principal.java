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

    Principal(String keyId, String account, String name, CredentialKind kind, String username,
            List<Grant> grants, Set<Channel> channels, Instant expiresAt, long recordVersion) {
        this.keyId = keyId;
        this.account = account;
        this.name = name;
        this.kind = kind;
        this.username = username;
        this.grants = grants;
        this.channels = channels;
        this.expiresAt = expiresAt;
        this.recordVersion = recordVersion;
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

    @Override
    public String toString() {
        return "Principal[" + keyId + ", account=" + account + "]";
    }
}
