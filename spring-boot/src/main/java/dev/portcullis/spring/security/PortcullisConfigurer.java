package dev.portcullis.spring.security;

import dev.portcullis.Authenticator;
import dev.portcullis.Portcullis;
import dev.portcullis.TrustedProxies;

import java.util.Objects;

import org.springframework.context.ApplicationContext;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.ExceptionHandlingConfigurer;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;

/**
 * Authenticates API keys and SMTP logins of a security filter chain through Portcullis:
 *
 * <pre>{@code
 * @Bean
 * SecurityFilterChain api(HttpSecurity http) throws Exception {
 *     return http
 *             .with(portcullis(), Customizer.withDefaults())
 *             .authorizeHttpRequests(a -> a
 *                     .requestMatchers(HttpMethod.POST, "/v3/{domain}/messages")
 *                         .access(PortcullisAuthorization.permits("messages:send", "domain"))
 *                     .requestMatchers("/v1/keys/**").hasAuthority("keys:*@*")
 *                     .anyRequest().authenticated())
 *             .csrf(csrf -> csrf.disable())          // an API authenticated by header, not by cookie
 *             .build();
 * }
 * }</pre>
 *
 * <p>It adds a {@link PortcullisAuthenticationFilter} before {@code BasicAuthenticationFilter}
 * (Portcullis reads the {@code Authorization} header of the chain: use a separate chain, with its own
 * {@code securityMatcher}, for another scheme on other paths), and makes Portcullis' answers the
 * chain's default entry point and access-denied handler; an entry point or handler the application
 * sets itself wins. The authenticator, trusted proxies and provider come from the application
 * context (the starter's {@link Portcullis}, {@link TrustedProxies} and
 * {@link PortcullisAuthenticationProvider} beans) unless given here.
 */
public final class PortcullisConfigurer extends AbstractHttpConfigurer<PortcullisConfigurer, HttpSecurity> {
    private Authenticator authenticator;
    private TrustedProxies proxies;
    private boolean bearer;
    private AuthenticationEntryPoint entryPoint;

    private PortcullisConfigurer() {}

    /** A configurer for {@code http.with(portcullis(), c -> …)}. */
    public static PortcullisConfigurer portcullis() {
        return new PortcullisConfigurer();
    }

    /** Decide with this authenticator instead of the context's {@code Portcullis}. */
    public PortcullisConfigurer authenticator(Authenticator authenticator) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        return this;
    }

    /** Trust these proxies to name the client, instead of the context's {@link TrustedProxies} bean. */
    public PortcullisConfigurer trustedProxies(TrustedProxies proxies) {
        this.proxies = Objects.requireNonNull(proxies, "proxies");
        return this;
    }

    /** Challenge with {@code WWW-Authenticate: Bearer realm="…"} instead of Basic. */
    public PortcullisConfigurer bearerChallenge() {
        this.bearer = true;
        return this;
    }

    @Override
    public void init(HttpSecurity http) {
        entryPoint = PortcullisSecurityHandlers.entryPoint(authenticator(http), proxies(http), bearer);
        @SuppressWarnings("unchecked")
        ExceptionHandlingConfigurer<HttpSecurity> exceptions = http.getConfigurer(ExceptionHandlingConfigurer.class);
        if (exceptions != null) {
            exceptions.defaultAuthenticationEntryPointFor(entryPoint, AnyRequestMatcher.INSTANCE);
            exceptions.defaultAccessDeniedHandlerFor(PortcullisSecurityHandlers.accessDeniedHandler(), AnyRequestMatcher.INSTANCE);
        }
    }

    @Override
    public void configure(HttpSecurity http) {
        ApplicationContext context = http.getSharedObject(ApplicationContext.class);
        PortcullisAuthenticationProvider provider = context == null ? null
                : context.getBeanProvider(PortcullisAuthenticationProvider.class).getIfUnique();
        if (provider == null || authenticator != null) {
            provider = new PortcullisAuthenticationProvider(authenticator(http));
        }
        PortcullisAuthenticationFilter filter = new PortcullisAuthenticationFilter(new ProviderManager(provider), entryPoint, proxies(http));
        http.addFilterBefore(postProcess(filter), BasicAuthenticationFilter.class);
    }

    private Authenticator authenticator(HttpSecurity http) {
        if (authenticator != null) {
            return authenticator;
        }
        ApplicationContext context = http.getSharedObject(ApplicationContext.class);
        Portcullis portcullis = context == null ? null : context.getBeanProvider(Portcullis.class).getIfUnique();
        if (portcullis == null) {
            throw new IllegalStateException("http.with(portcullis(), …) needs a Portcullis bean, or c.authenticator(…)");
        }
        return portcullis.authenticator();
    }

    private TrustedProxies proxies(HttpSecurity http) {
        if (proxies != null) {
            return proxies;
        }
        ApplicationContext context = http.getSharedObject(ApplicationContext.class);
        TrustedProxies bean = context == null ? null : context.getBeanProvider(TrustedProxies.class).getIfUnique();
        return bean != null ? bean : TrustedProxies.none();
    }
}
