package dev.portcullis.internal.wire;

/** A presented username and password, neither of them empty nor yet prepared or verified. */
public final class PasswordCredential implements Credential {
    private final String username;
    private final String password;

    PasswordCredential(String username, String password) {
        this.username = username;
        this.password = password;
    }

    /** The username as presented. Log it only once it matched a record. */
    public String username() {
        return username;
    }

    /** The password as presented. A secret: never log it. */
    public String password() {
        return password;
    }

    @Override
    public String toString() {
        return "PasswordCredential[redacted]";
    }
}
