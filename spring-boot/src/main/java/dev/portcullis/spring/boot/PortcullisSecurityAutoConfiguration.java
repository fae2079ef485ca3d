package dev.portcullis.spring.boot;

import dev.portcullis.Portcullis;
import dev.portcullis.spring.security.PortcullisAuthenticationProvider;
import dev.portcullis.spring.security.PortcullisPermissionEvaluator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.access.PermissionEvaluator;
import org.springframework.security.access.expression.method.DefaultMethodSecurityExpressionHandler;
import org.springframework.security.access.expression.method.MethodSecurityExpressionHandler;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Portcullis for Spring Security: the {@link PortcullisAuthenticationProvider} that
 * {@code http.with(PortcullisConfigurer.portcullis(), …)} uses, and {@code hasPermission(#domain,
 * 'messages:send')} for method security ({@link PortcullisPermissionEvaluator}, in a
 * {@link MethodSecurityExpressionHandler} unless the application has its own).
 *
 * <p>The provider bean is left out when the application has a {@link UserDetailsService}: Spring
 * Security would then stop wiring the user details into its global authentication manager on its
 * own, which would change the application's form or Basic login. The configurer makes its provider
 * itself then.
 */
@AutoConfiguration(after = PortcullisAutoConfiguration.class,
        beforeName = "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration")
@ConditionalOnClass({ SecurityFilterChain.class, PortcullisAuthenticationProvider.class })
@ConditionalOnBean(Portcullis.class)
public class PortcullisSecurityAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean({ PortcullisAuthenticationProvider.class, UserDetailsService.class })
    public PortcullisAuthenticationProvider portcullisAuthenticationProvider(Portcullis portcullis) {
        return new PortcullisAuthenticationProvider(portcullis.authenticator());
    }

    @Bean
    @ConditionalOnMissingBean(PermissionEvaluator.class)
    public static PortcullisPermissionEvaluator portcullisPermissionEvaluator() {
        return new PortcullisPermissionEvaluator();
    }

    /** For {@code @EnableMethodSecurity}: Spring Security's default handler with Portcullis' {@code hasPermission}. */
    @Bean
    @ConditionalOnMissingBean(MethodSecurityExpressionHandler.class)
    public static MethodSecurityExpressionHandler portcullisMethodSecurityExpressionHandler(
            org.springframework.beans.factory.ObjectProvider<PermissionEvaluator> evaluators) {
        DefaultMethodSecurityExpressionHandler handler = new DefaultMethodSecurityExpressionHandler();
        PermissionEvaluator evaluator = evaluators.getIfUnique(PortcullisPermissionEvaluator::new);
        handler.setPermissionEvaluator(evaluator);
        return handler;
    }
}
