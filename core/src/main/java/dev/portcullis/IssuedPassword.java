package dev.portcullis;

/**
 * A newly created SMTP credential: the only time its password is visible. {@code toString}
 * shows the username, never the password.
 */
public final class IssuedPassword {
    private final String password;
    private final KeyInfo info;

    IssuedPassword(String password, KeyInfo info) {
        this.password = password;
        this.info = info;
    }

    public String id() {
        return info.id();
    }

    public String username() {
        return info.username();
    }

    public String password() {
        return password;
    }

    public KeyInfo info() {
        return info;
    }

    @Override
    public String toString() {
        return "IssuedPassword[" + info.username() + "]";
    }
}
