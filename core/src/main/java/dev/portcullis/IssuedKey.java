package dev.portcullis;

/**
 * A newly created API key: the only time its token is visible. Hand the token to its owner once;
 * Portcullis keeps only its digest. {@code toString} shows the id, never the token.
 */
public final class IssuedKey {
    private final String token;
    private final KeyInfo info;

    IssuedKey(String token, KeyInfo info) {
        this.token = token;
        this.info = info;
    }

    public String id() {
        return info.id();
    }

    /** The whole key, e.g. for {@code curl --user 'api:TOKEN'}. */
    public String token() {
        return token;
    }

    public KeyInfo info() {
        return info;
    }

    @Override
    public String toString() {
        return "IssuedKey[" + info.display() + "]";
    }
}
