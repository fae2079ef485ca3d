package dev.portcullis;

import dev.portcullis.internal.pipeline.Identity;
import dev.portcullis.internal.rules.Grants;
import dev.portcullis.internal.rules.Requests;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import dev.portcullis.KeyInfo.CredentialKind;
import org.jspecify.annotations.Nullable;

/**
 * Who an allowed request is: the credential's record as it was when the decision was made.
 * Holds no secret. Immutable, and shared: a request that would get a principal equal in every
 * field to an earlier one's (same credential and version, client, channel) may be given that same
 * instance, so tell principals apart by {@link #keyId()}, not by identity.
 */
public final class Principal implements java.security.Principal {
    private final Identity who;
    private final ClientAddress client;
    /** The channel it authenticated on: {@code authorize} checks the record still allows it. */
    private final Channel channel;
    /**
     * The stored secret hash it was verified against (never shown): {@code authorize} ends a
     * session whose credential's secret changed since.
     */
    private final String verifiedHash;

    private Principal(Identity who, ClientAddress client, Channel channel, String verifiedHash) {
        this.who = who;
        this.client = client;
        this.channel = channel;
        this.verifiedHash = verifiedHash;
    }

    static Principal of(Identity who, ClientAddress client, Channel channel, String verifiedHash) {
        return new Principal(who, client, channel, verifiedHash);
    }

    /** Whether {@link #of} with these would make a principal equal to this one in every field. */
    boolean isFor(Identity who, @Nullable ClientAddress client, Channel channel, String verifiedHash) {
        return this.who == who && this.channel == channel && Objects.equals(this.client, client)
                && this.verifiedHash.equals(verifiedHash);
    }

    /** The channel it authenticated on. */
    public Channel channel() { return channel; }

    String verifiedHash() { return verifiedHash; }

    /** What it tells of its record, shared with the cache entry it was allowed from. */
    Identity identity() {
        return who;
    }

    /** The record id: the key id of an API key, the credential id of an SMTP login. */
    public String keyId() { return who.keyId; }
    public String account() { return who.account; }
    /** The credential's display name (e.g. "billing mailer"). */
    public String displayName() { return who.name; }
    public CredentialKind kind() { return who.kind; }
    /** The SMTP username of a password credential; {@code null} for API keys. */
    public @Nullable String username() { return who.username; }
    public List<Grant> grants() { return who.grants; }
    public Set<Channel> channels() { return who.channels; }
    public @Nullable Instant expiresAt() { return who.expiresAt; }
    /** The client address it authenticated from ({@code null} if unparseable); {@code authorize} re-checks the allowlist against it. */
    public @Nullable ClientAddress clientAddress() { return client; }

    /** The principal name for containers: the username of an SMTP login, else the key id. */
    @Override
    public String getName() {
        return who.username != null ? who.username : who.keyId;
    }

    /** Whether some grant gives {@code permission} (a concrete {@code noun:verb}) on any resource. */
    public boolean hasPermission(String permission) {
        return Grants.allows(who.grants, Requests.validRequired(permission), null);
    }

    /**
     * Whether a grant gives {@code permission} on {@code resource} (canonicalised like a domain).
     * This is the grant check alone: ownership of the resource by another account is
     * {@link Authenticator#authorize}'s business, through {@code ResourceOwners}.
     */
    public boolean permits(String permission, String resource) {
        return Grants.allows(who.grants, Requests.validRequired(permission), Requests.validResource(resource));
    }

    /**
     * The resource patterns on which {@code permission} is granted, to filter a collection:
     * {@code ["*"]} for every resource of the account, else exact names and {@code *.domain} patterns.
     */
    public List<String> resourcesFor(String permission) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        Requests.validRequired(permission);
        for (Grant g : who.grants) {
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
        return "Principal[" + who.keyId + ", account=" + who.account + "]";
    }
}
