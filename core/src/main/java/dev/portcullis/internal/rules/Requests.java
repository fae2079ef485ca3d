package dev.portcullis.internal.rules;

import dev.portcullis.ClientAddress;
import dev.portcullis.Grant;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What a request may name: a client address of an accepted type, a concrete required permission,
 * a resource that has a canonical form. Bad input is an exception at the call, never a pass;
 * {@code AuthRequest}, {@code Principal} and the authenticator all check here.
 */
public final class Requests {
    private Requests() {
    }

    /** {@code c} if it is {@code null}, a {@code String}, an {@link InetAddress} or a {@link ClientAddress}. */
    public static Object checkClient(Object c) {
        if (c == null || c instanceof String || c instanceof InetAddress || c instanceof ClientAddress) {
            return c;
        }
        throw new IllegalArgumentException("client address must be a String, an InetAddress or a ClientAddress");
    }

    /** {@code permission} if it is a concrete {@code noun:verb}; else an exception, never a pass. */
    public static String validRequired(String permission) {
        if (!Grants.isPermission(Objects.requireNonNull(permission, "permission")) || permission.equals("*") || permission.endsWith(":*")) {
            throw new IllegalArgumentException("a required permission is a concrete noun:verb, got \"" + shown(permission) + "\"");
        }
        return permission;
    }

    /** The canonical form of a required resource; an exception, never a pass, if it cannot be one. */
    public static String validResource(String resource) {
        String canonical = Grant.canonicalResource(Objects.requireNonNull(resource, "resource"));
        if (canonical == null) {
            throw new IllegalArgumentException("not a resource name: \"" + shown(resource) + "\"");
        }
        return canonical;
    }

    /** {@code cost} if it is 0 to {@code AuthRequest.MAX_COST}; else an exception, never a pass. */
    public static long validCost(long cost) {
        if (cost < 0 || cost > dev.portcullis.AuthRequest.MAX_COST) {
            throw new IllegalArgumentException("a cost is 0 to " + dev.portcullis.AuthRequest.MAX_COST + ", got " + cost);
        }
        return cost;
    }

    /** Caller-given text as an exception may show it: at most 64 characters, anything but printable ASCII escaped. */
    private static String shown(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return s.length() > 64 ? b.append("…").toString() : b.toString();
    }
}
