package dev.portcullis.spring.security;

import dev.portcullis.Authenticator;
import dev.portcullis.Principal;

import java.io.Serializable;

import org.springframework.security.access.PermissionEvaluator;
import org.springframework.security.core.Authentication;

/**
 * {@code hasPermission} for method security, asking Portcullis:
 * {@code @PreAuthorize("hasPermission(#domain, 'messages:send')")} is
 * {@link Authenticator#authorize(Principal, String, String)} of the caller on the canonical
 * {@code domain} (grants with wildcards, resource ownership, and the credential's current status
 * included), by the authenticator that authenticated the caller. {@code hasPermission(null, 'domains:read')} asks for the permission on some resource.
 * A caller not authenticated by Portcullis, a permission that is not a concrete {@code noun:verb}
 * or a target that is no resource name is refused, never an exception.
 */
public final class PortcullisPermissionEvaluator implements PermissionEvaluator {
    public PortcullisPermissionEvaluator() {}

    @Override
    public boolean hasPermission(Authentication authentication, Object target, Object permission) {
        if (!(authentication instanceof PortcullisAuthenticationToken token) || token.getPrincipal() == null
                || !(permission instanceof String p)) {
            return false;
        }
        Authenticator authenticator = token.authenticator();
        Principal principal = token.getPrincipal();
        try {
            if (target == null) {
                return PortcullisAuthorization.check(authenticator, principal, p, null, false);
            }
            return target instanceof String resource && PortcullisAuthorization.check(authenticator, principal, p, resource, true);
        } catch (IllegalArgumentException e) {
            return false; // a malformed permission is a refusal here, as it is on the wire
        }
    }

    /** {@code hasPermission(#id, 'domain', 'messages:send')}: the type is not used; the id is the resource. */
    @Override
    public boolean hasPermission(Authentication authentication, Serializable targetId, String targetType, Object permission) {
        return hasPermission(authentication, targetId, permission);
    }
}
