package dev.portcullis.internal.pipeline;

import dev.portcullis.DenyReason;
import dev.portcullis.Grant;
import org.jspecify.annotations.Nullable;

/**
 * What an API key may act as when an OAUTHBEARER ({@code a=}) or XOAUTH2 ({@code user=}) exchange
 * names an authorization identity besides the key username: a mailbox at a domain the key may send
 * for. The mailbox is read loosely here (one {@code @}, a local part without spaces or controls);
 * its domain is what is authorized, canonical as every resource is.
 */
final class ActAs {
    static final String SEND = "messages:send";
    /** An identity that is neither a key username nor a mailbox: nothing a key can act as. */
    static final Denial NOT_AN_IDENTITY = new Denial(DenyReason.PERMISSION_DENIED, "AUTHZID");

    /** RFC 5321 §4.5.3.1.1. */
    private static final int MAX_LOCAL_PART = 64;

    private ActAs() {
    }

    /** The canonical domain of {@code authzid} read as {@code local@domain}, or {@code null} if it is not one. */
    static @Nullable String mailboxDomain(String authzid) {
        int at = authzid.lastIndexOf('@');
        if (at <= 0 || at > MAX_LOCAL_PART || at == authzid.length() - 1) {
            return null;
        }
        for (int i = 0; i < at; i++) {
            char c = authzid.charAt(i);
            if (c <= ' ' || c == 0x7F || Character.isISOControl(c) || Character.isWhitespace(c)) {
                return null;
            }
        }
        String domain = authzid.substring(at + 1);
        // A grant pattern is no domain: "x@*.example.com" must not reach the grant matcher as one.
        if (domain.indexOf('*') >= 0) {
            return null;
        }
        return Grant.canonicalResource(domain);
    }
}
