package dev.portcullis.spring.security;

import dev.portcullis.AuthResult;
import dev.portcullis.ClientAddress;
import dev.portcullis.TrustedProxies;
import dev.portcullis.servlet.PortcullisFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The Spring Security filter of {@link PortcullisConfigurer}: a request with an {@code Authorization}
 * header is authenticated through Portcullis; an allowed one goes on with a
 * {@link PortcullisAuthenticationToken} in the security context (kept in the request, not a session),
 * the {@code RateLimit} fields on the response and the {@link dev.portcullis.Principal} in the request
 * attribute {@link PortcullisFilter#PRINCIPAL_ATTRIBUTE}; a denied one is answered by the entry point
 * with Portcullis' own status and headers. A request without the header goes on unauthenticated, for
 * {@code authorizeHttpRequests} to decide.
 */
public final class PortcullisAuthenticationFilter extends OncePerRequestFilter {
    private final AuthenticationManager manager;
    private final AuthenticationEntryPoint entryPoint;
    private final TrustedProxies proxies;
    private SecurityContextRepository repository = new RequestAttributeSecurityContextRepository();
    private SecurityContextHolderStrategy holder = SecurityContextHolder.getContextHolderStrategy();

    public PortcullisAuthenticationFilter(AuthenticationManager manager, AuthenticationEntryPoint entryPoint, TrustedProxies proxies) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.entryPoint = Objects.requireNonNull(entryPoint, "entryPoint");
        this.proxies = Objects.requireNonNull(proxies, "proxies");
    }

    public void setSecurityContextRepository(SecurityContextRepository repository) {
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    public void setSecurityContextHolderStrategy(SecurityContextHolderStrategy holder) {
        this.holder = Objects.requireNonNull(holder, "holder");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        List<String> authorization = values(request.getHeaders("Authorization"));
        if (authorization.isEmpty() || alreadyAuthenticated()) {
            chain.doFilter(request, response);
            return;
        }
        Authentication result;
        try {
            result = manager.authenticate(PortcullisAuthenticationToken.unauthenticated(authorization, client(request, proxies)));
        } catch (AuthenticationException e) {
            holder.clearContext();
            entryPoint.commence(request, response, e);
            return;
        }
        SecurityContext context = holder.createEmptyContext();
        context.setAuthentication(result);
        holder.setContext(context);
        repository.saveContext(context, request, response);
        if (result instanceof PortcullisAuthenticationToken token) {
            AuthResult decision = token.result();
            decision.http().headers().forEach(response::setHeader); // RateLimit, RateLimit-Policy
            request.setAttribute(PortcullisFilter.PRINCIPAL_ATTRIBUTE, token.getPrincipal());
        }
        chain.doFilter(request, response);
    }

    private boolean alreadyAuthenticated() {
        Authentication existing = holder.getContext().getAuthentication();
        return existing != null && existing.isAuthenticated() && !(existing instanceof AnonymousAuthenticationToken);
    }

    /** The client: the socket peer, or behind trusted proxies what {@link ClientAddress#resolve} makes of their header. */
    static Object client(HttpServletRequest request, TrustedProxies proxies) {
        String peer = request.getRemoteAddr();
        String header = proxies.headerName();
        if (header == null) {
            return peer;
        }
        ClientAddress address = ClientAddress.parse(peer);
        return address == null ? peer : ClientAddress.resolve(address, values(request.getHeaders(header)), proxies);
    }

    static List<String> values(Enumeration<String> e) {
        if (e == null || !e.hasMoreElements()) {
            return List.of();
        }
        String first = e.nextElement();
        if (!e.hasMoreElements()) {
            return Collections.singletonList(first);
        }
        List<String> all = new ArrayList<>();
        all.add(first);
        while (e.hasMoreElements()) {
            all.add(e.nextElement());
        }
        return all;
    }
}
