package dev.portcullis.spring.security;

import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.Grant;
import dev.portcullis.Principal;

import java.util.Objects;
import java.util.function.Supplier;

import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Request rules that ask Portcullis, for {@code authorizeHttpRequests}:
 *
 * <pre>{@code
 * .requestMatchers(HttpMethod.POST, "/v3/{domain}/messages").access(PortcullisAuthorization.permits("messages:send", "domain"))
 * .requestMatchers(HttpMethod.GET, "/v3/domains").access(PortcullisAuthorization.permits("domains:read"))
 * }</pre>
 *
 * A rule grants when the caller authenticated through Portcullis and
 * {@link Authenticator#authorize(Principal, String, String)} allows: the grant covers the permission on
 * the canonical resource named by the path variable (wildcard grants included), the resource is not
 * another account's ({@code ResourceOwners}), and the credential is still live, as stored now. A
 * value that is no resource name is refused. The authenticator is the one that authenticated the caller.
 */
public final class PortcullisAuthorization implements AuthorizationManager<RequestAuthorizationContext> {
    private final String permission;
    private final String variable;

    private PortcullisAuthorization(String permission, String variable) {
        this.permission = Objects.requireNonNull(permission, "permission");
        this.variable = variable;
    }

    /** {@code permission} on the resource the path variable {@code variable} names. */
    public static PortcullisAuthorization permits(String permission, String variable) {
        return new PortcullisAuthorization(permission, Objects.requireNonNull(variable, "variable"));
    }

    /** {@code permission} on some resource of the caller's account (a collection). */
    public static PortcullisAuthorization permits(String permission) {
        return new PortcullisAuthorization(permission, null);
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        if (!(authentication.get() instanceof PortcullisAuthenticationToken token) || token.getPrincipal() == null) {
            return new AuthorizationDecision(false);
        }
        return new AuthorizationDecision(check(token.authenticator(), token.getPrincipal(), permission,
                variable == null ? null : context.getVariables().get(variable), variable != null));
    }

    /** The decision: {@code false} for a missing or malformed resource, never an exception. */
    static boolean check(Authenticator authenticator, Principal principal, String permission, String resource, boolean needsResource) {
        AuthResult r;
        if (!needsResource) {
            r = authenticator.authorize(principal, permission);
        } else {
            String canonical = resource == null ? null : Grant.canonicalResource(resource);
            if (canonical == null) {
                return false;
            }
            r = authenticator.authorize(principal, permission, canonical);
        }
        return r.allowed();
    }

    @Override
    public String toString() {
        return "PortcullisAuthorization[" + permission + (variable != null ? " on {" + variable + "}" : "") + "]";
    }
}
