package dev.portcullis.spring.boot;

import dev.portcullis.servlet.PortcullisFilter;

/**
 * Rules for the auto-configured {@link PortcullisFilter}, as code: every bean of this type adds its
 * rules, beside those of {@code portcullis.web.routes} and {@code portcullis.web.permit}.
 *
 * <pre>{@code
 * @Bean
 * PortcullisRoutes mailRoutes() {
 *     return routes -> routes
 *             .route("POST", "/v3/{domain}/messages", "messages:send", "domain")
 *             .permit("GET", "/actuator/health");
 * }
 * }</pre>
 */
@FunctionalInterface
public interface PortcullisRoutes {
    void addRoutes(PortcullisFilter.Builder routes);
}
