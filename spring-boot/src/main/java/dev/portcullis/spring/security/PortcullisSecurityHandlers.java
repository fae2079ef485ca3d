package dev.portcullis.spring.security;

import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult.HttpVerdict;
import dev.portcullis.Authenticator;
import dev.portcullis.TrustedProxies;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * How a Portcullis-secured chain answers refusals, byte for byte as the servlet filter does:
 * a {@link PortcullisAuthenticationException} with its own answer (401 and {@code WWW-Authenticate},
 * 403, 429 with {@code Retry-After} and {@code RateLimit}, 503); a request that brought no credentials
 * where {@code authorizeHttpRequests} wants them with Portcullis' 401 for missing credentials (asked
 * of the authenticator, so it is audited like any other attempt); an authenticated caller without
 * the authority or permission with {@code 403 {"message":"Forbidden"}}.
 */
public final class PortcullisSecurityHandlers {
    private static final HttpVerdict FORBIDDEN = new HttpVerdict(403, Map.of(), "Forbidden");

    private PortcullisSecurityHandlers() {}

    /** The entry point: Portcullis' answer to a denied or missing authentication. */
    public static AuthenticationEntryPoint entryPoint(Authenticator authenticator, TrustedProxies proxies, boolean bearer) {
        return new EntryPoint(authenticator, proxies, bearer);
    }

    /** The access-denied handler: 403, with the rate-limit fields the authentication already set. */
    public static AccessDeniedHandler accessDeniedHandler() {
        return (HttpServletRequest request, HttpServletResponse response, AccessDeniedException e) ->
                Verdicts.render(response, FORBIDDEN, false);
    }

    private record EntryPoint(Authenticator authenticator, TrustedProxies proxies, boolean bearer) implements AuthenticationEntryPoint {
        @Override
        public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
            HttpVerdict verdict = e instanceof PortcullisAuthenticationException denied ? denied.result().http()
                    : authenticator.authenticate(AuthRequest.http(List.of(), PortcullisAuthenticationFilter.client(request, proxies))).http();
            Verdicts.render(response, verdict, bearer);
        }
    }
}
