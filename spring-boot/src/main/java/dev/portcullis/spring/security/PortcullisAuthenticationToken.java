package dev.portcullis.spring.security;

import dev.portcullis.AuthResult;
import dev.portcullis.Authenticator;
import dev.portcullis.Grant;
import dev.portcullis.Principal;

import java.io.Serial;
import java.util.List;
import java.util.Objects;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * An {@code Authentication} for Portcullis: unauthenticated, the {@code Authorization} values and the
 * client address of a request; authenticated, the {@link Principal} with one authority per grant,
 * spelled as the grant is stored: {@code messages:send@example.com}, {@code messages:*@*.example.com},
 * {@code *@*}. {@code hasAuthority} compares those strings exactly; to ask whether the grants cover
 * a permission on a concrete resource (wildcards included), use {@code hasPermission(#domain,
 * 'messages:send')} or {@link PortcullisAuthorization#permits}.
 *
 * <p>Not meant for an HTTP session: the principal and the result are not serialised (the filter
 * keeps the context in the request only).
 */
public final class PortcullisAuthenticationToken extends AbstractAuthenticationToken {
    @Serial
    private static final long serialVersionUID = 1L;

    private transient List<String> authorization;
    private final transient Object client;
    private final transient Principal principal;
    private final transient AuthResult result;
    /** Who decided: {@link PortcullisAuthorization} and {@link PortcullisPermissionEvaluator} ask it again. */
    private final transient Authenticator authenticator;

    private PortcullisAuthenticationToken(List<String> authorization, Object client) {
        super(List.of());
        this.authorization = List.copyOf(authorization);
        this.client = client;
        this.principal = null;
        this.result = null;
        this.authenticator = null;
        setAuthenticated(false);
    }

    private PortcullisAuthenticationToken(AuthResult result, Authenticator authenticator) {
        super(authorities(result.principal()));
        this.authorization = null;
        this.client = null;
        this.principal = result.principal();
        this.result = result;
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        super.setAuthenticated(true);
    }

    /**
     * What a request presents.
     *
     * @param authorization every value of its {@code Authorization} header
     * @param client the client address: a {@code String}, an {@code InetAddress} or a {@code ClientAddress}
     */
    public static PortcullisAuthenticationToken unauthenticated(List<String> authorization, Object client) {
        return new PortcullisAuthenticationToken(authorization, client);
    }

    /** An allowed decision of {@code authenticator}, which later permission checks ask again. */
    public static PortcullisAuthenticationToken authenticated(AuthResult result, Authenticator authenticator) {
        if (!result.allowed()) {
            throw new IllegalArgumentException("not an allowed result: " + result);
        }
        return new PortcullisAuthenticationToken(result, authenticator);
    }

    /** One authority per grant, {@code permission@pattern}. */
    public static List<GrantedAuthority> authorities(Principal principal) {
        return principal.grants().stream().map(Grant::toString).<GrantedAuthority>map(SimpleGrantedAuthority::new).toList();
    }

    /** The {@code Authorization} values; {@code null} once authenticated or erased. Never log them. */
    @Override
    public Object getCredentials() {
        return authorization;
    }

    List<String> authorization() {
        return authorization;
    }

    Object client() {
        return client;
    }

    /** The Portcullis {@link Principal} once authenticated; else {@code null}. */
    @Override
    public Principal getPrincipal() {
        return principal;
    }

    /** The decision, with its rate-limit state; {@code null} before authentication. */
    public AuthResult result() {
        return result;
    }

    /** The authenticator that decided; {@code null} before authentication. */
    public Authenticator authenticator() {
        return authenticator;
    }

    @Override
    public String getName() {
        return principal != null ? principal.getName() : "";
    }

    @Override
    public void setAuthenticated(boolean authenticated) {
        if (authenticated) {
            throw new IllegalArgumentException("use PortcullisAuthenticationToken.authenticated(result)");
        }
        super.setAuthenticated(false);
    }

    @Override
    public void eraseCredentials() {
        super.eraseCredentials();
        authorization = null;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    /** Names the key, never a credential. */
    @Override
    public String toString() {
        return "PortcullisAuthenticationToken[" + (principal != null ? principal : "unauthenticated") + ", " + getAuthorities() + "]";
    }
}
