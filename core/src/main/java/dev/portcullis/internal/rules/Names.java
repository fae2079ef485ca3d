package dev.portcullis.internal.rules;

import dev.portcullis.Grant;

import java.util.regex.Pattern;

/**
 * The grammar of the names a credential carries: its account, its display name, an SMTP login's
 * username. {@code KeySpec} checks a new credential with these, key management an account it is
 * given, and the authenticator folds a presented username the way it was stored.
 */
public final class Names {
    private Names() {
    }

    private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /**
     * {@code local@domain}: the local part printable ASCII without spaces or {@code @}, the domain
     * canonicalised like a resource ({@link Grant#canonicalResource}); at most 254 characters.
     *
     * @throws IllegalArgumentException if it cannot be a username
     */
    public static String canonicalUsername(String username) {
        if (username == null) {
            throw new IllegalArgumentException("username is required");
        }
        int at = username.lastIndexOf('@');
        if (at <= 0 || at == username.length() - 1 || username.length() > 254) {
            throw new IllegalArgumentException("username must be an address at a domain, like postmaster@example.com");
        }
        String local = username.substring(0, at);
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '@' || c == ':') {
                throw new IllegalArgumentException("username's local part must be printable ASCII without spaces, '@' or ':'");
            }
        }
        String domain = Grant.canonicalResource(username.substring(at + 1));
        if (domain == null || domain.indexOf('.') < 0) {
            throw new IllegalArgumentException("username's domain is not a domain name");
        }
        return local + "@" + domain;
    }

    /** @throws IllegalArgumentException if {@code account} is not {@code [A-Za-z0-9][A-Za-z0-9._-]{0,63}} */
    public static String checkAccount(String account) {
        if (account == null || !ACCOUNT.matcher(account).matches()) {
            throw new IllegalArgumentException("account must match " + ACCOUNT.pattern());
        }
        return account;
    }

    /** A display name: {@code ""} for none; at most 200 characters without control characters. */
    public static String checkName(String name) {
        if (name == null) {
            return "";
        }
        if (name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("name must be at most 200 characters without control characters");
        }
        return name;
    }
}
