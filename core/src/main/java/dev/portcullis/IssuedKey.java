package dev.portcullis;

import org.jspecify.annotations.Nullable;

/**
 * A newly created credential: the only time its secret is visible. Hand it to its owner once;
 * Portcullis keeps only its digest (an API key) or hash (an SMTP login's password).
 * {@code toString} shows the id or username, never the secret.
 */
public final class IssuedKey {
    private final String secret;
    private final KeyInfo info;

    IssuedKey(String secret, KeyInfo info) {
        this.secret = secret;
        this.info = info;
    }

    public String id() {
        return info.id();
    }

    /** The secret: an API key's whole token, or an SMTP login's password. */
    public String secret() {
        return secret;
    }

    /**
     * The whole API key, e.g. for {@code curl --user 'api:TOKEN'}.
     *
     * @throws IllegalStateException for an SMTP login, whose secret is its {@link #password()}
     */
    public String token() {
        if (info.kind() != KeyInfo.CredentialKind.API_KEY) {
            throw new IllegalStateException("an SMTP login has a password, not a token");
        }
        return secret;
    }

    /**
     * An SMTP login's password.
     *
     * @throws IllegalStateException for an API key, whose secret is its {@link #token()}
     */
    public String password() {
        if (info.kind() != KeyInfo.CredentialKind.PASSWORD) {
            throw new IllegalStateException("an API key has a token, not a password");
        }
        return secret;
    }

    /** The SMTP username of a login; {@code null} for an API key. */
    public @Nullable String username() {
        return info.username();
    }

    public KeyInfo info() {
        return info;
    }

    @Override
    public String toString() {
        return "IssuedKey[" + (info.username() != null ? info.username() : info.display()) + "]";
    }
}
