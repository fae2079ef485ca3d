package dev.portcullis.spring.boot;

import dev.portcullis.AuthEvent;
import dev.portcullis.AuthListener;
import dev.portcullis.KeyEvent;
import dev.portcullis.Portcullis;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.audit.AuditEventRepository;
import org.springframework.boot.actuate.audit.listener.AuditApplicationEvent;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Portcullis for Actuator: the {@code portcullis} health component from {@link Portcullis#health()},
 * audit events in the application's {@link AuditEventRepository} when it has one, and the pepper
 * masked in {@code /actuator/configprops} and {@code /actuator/env} whatever {@code show-values} says.
 * The meters are bound by {@link PortcullisAutoConfiguration} (they need Micrometer, not Actuator).
 */
@AutoConfiguration(after = PortcullisAutoConfiguration.class,
        afterName = "org.springframework.boot.actuate.autoconfigure.audit.AuditAutoConfiguration")
@ConditionalOnBean(Portcullis.class)
public class PortcullisActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnEnabledHealthIndicator("portcullis")
    static class HealthConfiguration {
        /**
         * {@code UP} or {@code DOWN} (the store does not answer: cached keys are still served, within
         * the hard bound, but nothing new can be). Portcullis' {@code DEGRADED} (rate limits on their
         * fallback, or a change feed more than 30 s behind) is reported as {@code UP} with
         * {@code "degraded": true}: the application still serves correctly, and a status unknown to
         * Boot's aggregation could hide another component's {@code DOWN}.
         */
        @Bean
        @ConditionalOnMissingBean(name = "portcullisHealthIndicator")
        HealthIndicator portcullisHealthIndicator(Portcullis portcullis) {
            return () -> {
                Portcullis.Health h = portcullis.health();
                Health.Builder b = h.status() == Portcullis.Health.Status.DOWN ? Health.down() : Health.up();
                return b.withDetail("degraded", h.status() == Portcullis.Health.Status.DEGRADED)
                        .withDetail("storeReachable", h.storeReachable())
                        .withDetail("storeLatencyMillis", h.storeLatency().toNanos() / 1e6)
                        .withDetail("changeFeedLagMillis", h.changeFeedLag().toMillis())
                        .withDetail("pushConnected", h.pushConnected())
                        .withDetail("rateLimiter", h.rateLimiter().name())
                        .withDetail("cachedCredentials", h.cachedCredentials())
                        .build();
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.audit.listener.AuditApplicationEvent")
    static class AuditConfiguration {
        /** Every decision and key change as an {@code AuditEvent}, when the application keeps them. */
        @Bean
        @ConditionalOnBean(AuditEventRepository.class)
        @ConditionalOnMissingBean
        PortcullisAuditListener portcullisAuditListener(ApplicationEventPublisher publisher) {
            return new PortcullisAuditListener(publisher);
        }

        /** {@code portcullis.pepper.value} is always shown as {@code ******}. */
        @Bean
        SanitizingFunction portcullisPepperSanitizer() {
            return data -> data.getKey().toLowerCase(java.util.Locale.ROOT).replace("-", "").replace("_", "")
                    .contains("portcullis") && data.getKey().toLowerCase(java.util.Locale.ROOT).contains("pepper")
                    ? data.withValue(SanitizableData.SANITIZED_VALUE) : data;
        }
    }

    /**
     * Publishes Actuator {@link AuditApplicationEvent}s: type {@code PORTCULLIS_AUTH_SUCCESS} or
     * {@code PORTCULLIS_AUTH_FAILURE} for decisions, {@code PORTCULLIS_KEY_<TYPE>} for key events; the
     * principal is the key id ({@code anonymous} when none could be named). No secret is ever in them.
     */
    public static final class PortcullisAuditListener implements AuthListener {
        private final ApplicationEventPublisher publisher;

        PortcullisAuditListener(ApplicationEventPublisher publisher) {
            this.publisher = publisher;
        }

        @Override
        public void onEvent(AuthEvent e) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("channel", e.channel().name());
            put(data, "reason", e.reason());
            put(data, "detail", e.detail());
            put(data, "account", e.account());
            put(data, "client", e.clientAddress());
            if (e.newNetwork()) {
                data.put("newNetwork", true);
            }
            put(data, "wouldDeny", e.wouldDeny());
            publisher.publishEvent(new AuditApplicationEvent(e.at(), e.keyId() != null ? e.keyId() : "anonymous",
                    e.allowed() ? "PORTCULLIS_AUTH_SUCCESS" : "PORTCULLIS_AUTH_FAILURE", data));
        }

        @Override
        public void onKeyEvent(KeyEvent e) {
            Map<String, Object> data = new LinkedHashMap<>();
            put(data, "account", e.account());
            put(data, "actor", e.actor());
            put(data, "reason", e.reason());
            put(data, "detail", e.detail());
            publisher.publishEvent(new AuditApplicationEvent(e.at(), e.keyId() != null ? e.keyId() : e.account(),
                    "PORTCULLIS_KEY_" + e.type().name(), data));
        }

        private static void put(Map<String, Object> data, String key, Object value) {
            if (value != null) {
                data.put(key, value instanceof Enum<?> en ? en.name() : value);
            }
        }
    }
}
