package dev.portcullis.spring.security;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;

import java.util.Objects;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;

/**
 * Authenticates a {@link PortcullisAuthenticationToken} through the Portcullis {@link Authenticator}:
 * API keys ({@code Basic api:KEY}, {@code Basic KEY:}, {@code Bearer KEY}) and SMTP logins allowed on
 * HTTP ({@code Basic user@example.com:password}), with the key's allowlist, status, failure budgets
 * and rate limits. A denial is a {@link PortcullisAuthenticationException} carrying the answer.
 * Permissions are not asked here: {@code authorizeHttpRequests} and {@code @PreAuthorize} ask them
 * afterwards, of the grants.
 */
public final class PortcullisAuthenticationProvider implements AuthenticationProvider {
    private final Authenticator authenticator;

    public PortcullisAuthenticationProvider(Authenticator authenticator) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        PortcullisAuthenticationToken token = (PortcullisAuthenticationToken) authentication;
        AuthResult result = authenticator.authenticate(AuthRequest.http(token.authorization(), token.client()));
        if (!result.allowed()) {
            throw new PortcullisAuthenticationException(result);
        }
        return PortcullisAuthenticationToken.authenticated(result, authenticator);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return PortcullisAuthenticationToken.class.isAssignableFrom(authentication);
    }

    /** The authenticator it asks. */
    public Authenticator authenticator() {
        return authenticator;
    }

    @Override
    public String toString() {
        return "PortcullisAuthenticationProvider";
    }
}
