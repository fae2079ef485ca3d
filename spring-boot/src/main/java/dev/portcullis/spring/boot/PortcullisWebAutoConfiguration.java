package dev.portcullis.spring.boot;

import dev.portcullis.Portcullis;
import dev.portcullis.Principal;
import dev.portcullis.TrustedProxies;
import dev.portcullis.servlet.PortcullisFilter;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Portcullis in a servlet web application: the {@link PortcullisFilter} with rules from
 * {@code portcullis.web.*} and every {@link PortcullisRoutes} bean, and the caller's
 * {@link Principal} as a controller method argument.
 *
 * <p><b>Filter order: {@value #FILTER_ORDER}.</b> After Boot's character-encoding filter, its
 * request-observation filter (so refused requests are still measured) and Spring's
 * {@code ForwardedHeaderFilter} (all at {@code HIGHEST_PRECEDENCE} to {@code HIGHEST_PRECEDENCE + 1});
 * before the form-content filter (-9900), which would read a request body, and before the
 * request-context (-105) and Spring Security (-100) filters. A request is refused before the
 * application reads a byte of its body.
 *
 * <p>The filter is registered unless {@code portcullis.web.filter.enabled=false}; with Spring
 * Security on the class path it is not registered unless that property is {@code true}: there,
 * {@code http.with(PortcullisConfigurer.portcullis(), …)} authenticates inside the security chain,
 * and both would take a rate-limit token for one request.
 */
@AutoConfiguration(after = PortcullisAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ Filter.class, PortcullisFilter.class })
@ConditionalOnBean(Portcullis.class)
public class PortcullisWebAutoConfiguration {
    /** The order of the filter's registration: 100 before Boot's form-content filter (-9900). */
    public static final int FILTER_ORDER = -10_000;

    private static final Log log = LogFactory.getLog(PortcullisWebAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean(value = PortcullisFilter.class, parameterizedContainer = FilterRegistrationBean.class)
    @Conditional(FilterEnabled.class)
    public FilterRegistrationBean<PortcullisFilter> portcullisFilter(Portcullis portcullis, PortcullisProperties properties,
            TrustedProxies proxies, ObjectProvider<PortcullisRoutes> routeBeans) {
        PortcullisProperties.Web web = properties.getWeb();
        PortcullisFilter.Builder b = PortcullisFilter.builder(portcullis.authenticator());
        int rules = 0;
        for (PortcullisProperties.RouteProperties r : web.getRoutes()) {
            if (r.getMethod() == null || r.getPath() == null || r.getPermission() == null) {
                throw new IllegalStateException("portcullis.web.routes[" + rules + "] needs method, path and permission");
            }
            String method = r.getMethod().toUpperCase(Locale.ROOT);
            if (r.getResource() == null || r.getResource().isBlank()) {
                b.route(method, r.getPath(), r.getPermission());
            } else {
                b.route(method, r.getPath(), r.getPermission(), r.getResource());
            }
            rules++;
        }
        for (String permit : web.getPermit()) {
            String[] parts = permit.trim().split("\\s+");
            if (parts.length != 2) {
                throw new IllegalStateException("portcullis.web.permit entries are \"METHOD /path\", got \"" + permit + "\"");
            }
            b.permit(parts[0].toUpperCase(Locale.ROOT), parts[1]);
            rules++;
        }
        List<PortcullisRoutes> beans = routeBeans.orderedStream().toList();
        beans.forEach(r -> r.addRoutes(b));
        if (web.isPermitUnmatched()) {
            b.permitUnmatched();
        }
        if (web.isPassOptions()) {
            b.passOptions();
        }
        if (web.isBearerChallenge()) {
            b.bearerChallenge();
        }
        if (proxies.headerName() != null) {
            b.trustedProxies(proxies);
        }
        PortcullisFilter filter = b.build();
        if (rules == 0 && beans.isEmpty() && !web.isPermitUnmatched()) {
            log.warn("The Portcullis filter has no rules, so it answers every request 403. Add portcullis.web.routes "
                    + "and portcullis.web.permit, or a PortcullisRoutes bean.");
        }
        FilterRegistrationBean<PortcullisFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("portcullisFilter");
        registration.setOrder(web.getFilter().getOrder());
        registration.setUrlPatterns(new ArrayList<>(web.getFilter().getUrlPatterns()));
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        return registration;
    }

    /** The {@link Principal} as a controller argument, ahead of Spring MVC's own {@code java.security.Principal} resolver. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RequestMappingHandlerAdapter.class)
    static class PrincipalArgumentConfiguration {
        @Bean
        static BeanPostProcessor portcullisPrincipalArgumentResolverRegistrar() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
                    if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getArgumentResolvers() != null) {
                        List<HandlerMethodArgumentResolver> resolvers = new ArrayList<>();
                        resolvers.add(new PrincipalArgumentResolver());
                        resolvers.addAll(adapter.getArgumentResolvers());
                        adapter.setArgumentResolvers(resolvers);
                    }
                    return bean;
                }
            };
        }
    }

    /**
     * Resolves a controller parameter of type {@link Principal} (Portcullis', not
     * {@code java.security.Principal}) from the request attribute {@link PortcullisFilter#PRINCIPAL_ATTRIBUTE},
     * which the servlet filter and the Spring Security filter both set; {@code null} on a request
     * they let through without credentials. It runs first because Spring MVC's own resolver would
     * hand a {@code Principal}-typed parameter {@code request.getUserPrincipal()}, which under Spring
     * Security is the {@code Authentication}.
     */
    public static final class PrincipalArgumentResolver implements HandlerMethodArgumentResolver {
        @Override
        public boolean supportsParameter(MethodParameter parameter) {
            return parameter.getParameterType() == Principal.class;
        }

        @Override
        public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest request,
                WebDataBinderFactory binders) {
            return request.getAttribute(PortcullisFilter.PRINCIPAL_ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        }
    }

    /** {@code portcullis.web.filter.enabled} if set; else whether Spring Security is absent. */
    static final class FilterEnabled extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Boolean set = context.getEnvironment().getProperty("portcullis.web.filter.enabled", Boolean.class);
            if (set != null) {
                return set ? ConditionOutcome.match("portcullis.web.filter.enabled=true")
                        : ConditionOutcome.noMatch("portcullis.web.filter.enabled=false");
            }
            boolean security = ClassUtils.isPresent("org.springframework.security.web.SecurityFilterChain", context.getClassLoader());
            return security ? ConditionOutcome.noMatch("Spring Security is on the class path: use http.with(portcullis(), …), "
                    + "or set portcullis.web.filter.enabled=true")
                    : ConditionOutcome.match("no Spring Security on the class path");
        }
    }

}
