package dev.portcullis;

import dev.portcullis.internal.rules.Grants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.testing.FuzzInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Fuzz target for {@link Authenticator#authenticate} end to end (DESIGN §2: every stage; checklist
 * A-B, H43-H45, J, L63), against the {@link FuzzWorld}. Input fields ({@link FuzzInput} form, after
 * placeholder substitution): 0 the client address, 1 the required permission, 2 the resource
 * ({@code !} for none), then the {@code Authorization} values ({@code #} fields as
 * {@code Basic base64(rest)}; none means no header; a single value starting with {@code @} is a
 * gateway's {@link AuthRequest#apiKey}). Oracle: never an exception but the documented
 * {@link IllegalArgumentException} of {@link AuthRequest#require} for a non-concrete permission or a
 * resource that cannot be a resource name
 * and the {@link NullPointerException} of a value list holding {@code null},
 * never an allow without the placeholder of an allowable credential, one event per attempt, no
 * secret in any event, no header credential in the request's {@code toString}; and an allowed principal re-checked through {@link Authenticator#authorize}
 * is never allowed more than it holds.
 */
class AuthenticateFuzzTest {
    private static final FuzzWorld W = FuzzWorld.INSTANCE;

    @FuzzTest(maxDuration = "60s")
    void requests(byte[] data) {
        W.next();
        Set<String> allowedAs = W.mayBeAllowedAs(data);
        List<byte[]> raw = FuzzInput.rawFields(W.substitute(data));
        String client = raw.size() > 0 ? FuzzInput.text(raw.get(0)) : null;
        String permission = raw.size() > 1 ? FuzzInput.text(raw.get(1)) : null;
        String resource = raw.size() > 2 ? FuzzInput.text(raw.get(2)) : null;
        List<String> header = new ArrayList<>();
        for (int i = 3; i < raw.size(); i++) {
            String v = FuzzInput.text(raw.get(i));
            header.add(FuzzInput.isBlob(raw.get(i)) ? "Basic " + v : v);
        }
        AuthRequest request;
        if (header.contains(null)) {
            // A list of values with a null in it is a caller's error (no server hands one over), refused
            // as List.copyOf refuses it; found by this target.
            assertThrows(NullPointerException.class, () -> AuthRequest.http(header, client));
            return;
        }
        if (header.size() == 1 && header.get(0).startsWith("@")) {
            request = AuthRequest.apiKey(header.get(0).substring(1), client);
        } else {
            request = AuthRequest.http(header.isEmpty() ? null : header, client);
        }
        if (permission != null) {
            boolean concrete = Grants.isPermission(permission) && !permission.equals("*") && !permission.endsWith(":*");
            boolean resourceOk = resource == null || Grant.canonicalResource(resource) != null;
            try {
                // A bad permission or resource is an exception at the call, never an allow (issue 24).
                request = resource == null ? request.require(permission) : request.require(permission, resource);
            } catch (IllegalArgumentException e) {
                assertFalse(concrete && resourceOk, "require refuses only non-concrete permissions and non-resources");
                assertNotNull(e.getMessage());
                return;
            }
            assertTrue(concrete && resourceOk, "require took a non-concrete permission or a non-resource");
        }
        // toString shows the client and permission@resource as the caller gave them (found by this
        // target: a resource may hold any text), but never a credential from the header.
        String shown = request.toString();
        for (String secret : W.placeholders.values()) {
            boolean inHeader = header.stream().anyMatch(v -> v != null && v.contains(secret))
                    || header.stream().anyMatch(v -> v != null && v.startsWith("Basic ") && decodes(v).contains(secret));
            boolean elsewhere = client != null && client.contains(secret) || resource != null && resource.contains(secret)
                    || permission != null && permission.contains(secret);
            assertFalse(inHeader && !elsewhere && shown.contains(secret), "a credential in the request's toString");
        }
        AuthResult r = W.auth.authenticate(request);
        W.checkDecision(r, allowedAs, false);
        W.checkEvents(1);
        if (!r.allowed()) {
            return;
        }
        Principal p = r.principal();
        assertEquals(p.clientAddress(), ClientAddress.parse(client), "the principal's address is the client's");
        if (permission != null) {
            assertTrue(grants(p, permission, resource), "allowed only with a grant for the required permission");
        }
        // Re-check at MAIL FROM with the same (or no) permission: never more than it holds.
        String again = permission != null ? permission : "messages:send";
        AuthResult at = resource == null || permission == null && Grant.canonicalResource(resource) == null
                ? W.auth.authorize(p, again) : W.auth.authorize(p, again, resource);
        W.checkDecision(at, Set.of(p.keyId()), true);
        if (at.allowed()) {
            assertTrue(grants(p, again, resource));
        }
        W.checkEvents(2);
    }

    private static String decodes(String basic) {
        try {
            return new String(java.util.Base64.getDecoder().decode(basic.substring(6).trim()), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** An independent reading of the grant rules of DESIGN §2 Authorize (no ResourceOwners here). */
    static boolean grants(Principal p, String permission, String resource) {
        String canonical = resource == null ? null : Grant.canonicalResource(resource);
        if (resource != null && canonical == null) {
            return false;
        }
        for (Grant g : p.grants()) {
            String gp = g.permission();
            boolean permits = gp.equals("*") || gp.equals(permission)
                    || gp.endsWith(":*") && permission.startsWith(gp.substring(0, gp.length() - 1))
                    && permission.length() > gp.length() - 1;
            if (!permits) {
                continue;
            }
            if (canonical == null) {
                return true;
            }
            String pattern = g.resourcePattern();
            if (pattern.equals("*") || pattern.equals(canonical)
                    || pattern.startsWith("*.") && canonical.endsWith(pattern.substring(1)) && canonical.length() > pattern.length() - 1) {
                return true;
            }
        }
        return false;
    }
}
