package dev.portcullis.internal.wire;

/** A presented API key, not yet checked against any key format. */
public final class ApiKeyCredential implements Credential {
    private final String token;

    ApiKeyCredential(String token) {
        this.token = token;
    }

    /** The token as presented. A secret: never log it. */
    public String token() {
        return token;
    }

    @Override
    public String toString() {
        return "ApiKeyCredential[redacted]";
    }
}
