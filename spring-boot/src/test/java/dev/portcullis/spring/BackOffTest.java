package dev.portcullis.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.AuthRequest;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;
import dev.portcullis.TrustedProxies;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.spring.boot.PortcullisActuatorAutoConfiguration;
import dev.portcullis.spring.boot.PortcullisAutoConfiguration;
import dev.portcullis.spring.boot.PortcullisSecurityAutoConfiguration;
import dev.portcullis.spring.boot.PortcullisWebAutoConfiguration;
import dev.portcullis.spring.security.PortcullisAuthenticationProvider;
import dev.portcullis.spring.security.PortcullisPermissionEvaluator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.security.access.PermissionEvaluator;
import org.springframework.security.access.expression.method.DefaultMethodSecurityExpressionHandler;
import org.springframework.security.access.expression.method.MethodSecurityExpressionHandler;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * Each auto-configured bean gives way to the application's own, and the properties reach the
 * builder. Contexts without a server ({@link WebApplicationContextRunner}): fast.
 */
@ExtendWith(OutputCaptureExtension.class)
class BackOffTest {
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PortcullisAutoConfiguration.class, PortcullisWebAutoConfiguration.class,
                    PortcullisSecurityAutoConfiguration.class, PortcullisActuatorAutoConfiguration.class))
            .withPropertyValues(Apps.FAST_ARGON2, Apps.FAST_ARGON2_T);

    @Test
    void byDefaultEveryBeanIsThereAndTheInMemoryStoreIsAnnounced(CapturedOutput output) {
        runner.run(c -> {
            assertTrue(c.getStartupFailure() == null, () -> String.valueOf(c.getStartupFailure()));
            assertEquals(1, c.getBeansOfType(Portcullis.class).size());
            assertEquals(CredentialStore.inMemory().getClass(), c.getBean(CredentialStore.class).getClass());
            assertTrue(c.getBeansOfType(RateLimiter.class).isEmpty(), "the core's local limiter, inside Portcullis");
            assertSame(TrustedProxies.none(), c.getBean(TrustedProxies.class));
            assertEquals(1, c.getBeansOfType(PortcullisAuthenticationProvider.class).size());
            assertInstanceOf(PortcullisPermissionEvaluator.class, c.getBean(PermissionEvaluator.class));
            assertEquals(1, c.getBeansOfType(MethodSecurityExpressionHandler.class).size());
            assertTrue(c.containsBean("portcullisHealthIndicator"));
            // Spring Security is on this class path: the servlet filter stays out unless asked for.
            assertTrue(filters(c).isEmpty());
        });
        assertTrue(output.getOut().contains("Portcullis keeps its keys in memory: every key vanishes when the application stops"),
                "the warning at startup");
    }

    @Test
    void portcullisEnabledFalseTurnsEverythingOff() {
        runner.withPropertyValues("portcullis.enabled=false").run(c -> {
            assertFalse(c.containsBean("portcullis"));
            assertTrue(c.getBeansOfType(PortcullisAuthenticationProvider.class).isEmpty());
            assertTrue(c.getBeansOfType(HealthIndicator.class).isEmpty());
        });
    }

    @Test
    void anApplicationPortcullisReplacesTheAutoConfiguredOne() {
        Portcullis own = Portcullis.builder().store(CredentialStore.inMemory()).build();
        try {
            runner.withBean("myPortcullis", Portcullis.class, () -> own).run(c -> {
                assertSame(own, c.getBean(Portcullis.class));
                assertFalse(c.containsBean("portcullis"));
            });
        } finally {
            own.close();
        }
    }

    @Test
    void anApplicationStoreLimiterAndProxiesAreUsedByTheAutoConfiguredPortcullis() {
        CredentialStore store = CredentialStore.inMemory();
        RateLimiter local = RateLimiter.local(Clock.systemUTC());
        RateLimiter remoteLooking = new RateLimiter() {
            @Override
            public Take tryTakeAll(List<Quota> quotas, long cost) {
                return local.tryTakeAll(quotas, cost);
            }

            @Override
            public void giveBack(List<Quota> quotas, long cost) {
                local.giveBack(quotas, cost);
            }

            @Override
            public long nanosUntilAvailable(Quota quota) {
                return local.nanosUntilAvailable(quota);
            }

            @Override
            public void spend(Quota quota) {
                local.spend(quota);
            }

            @Override
            public Mode mode() {
                return Mode.REMOTE;
            }
        };
        TrustedProxies proxies = TrustedProxies.xForwardedFor("10.0.0.0/8");
        runner.withBean(CredentialStore.class, () -> store).withBean(RateLimiter.class, () -> remoteLooking)
                .withBean(TrustedProxies.class, () -> proxies).run(c -> {
                    Portcullis p = c.getBean(Portcullis.class);
                    IssuedKey key = p.keys().create(KeySpec.builder().account("acme").build());
                    assertTrue(store.findById(key.id()).isPresent(), "written to the application's store");
                    assertEquals(RateLimiter.Mode.REMOTE, p.health().rateLimiter(), "deciding with the application's limiter");
                    assertSame(proxies, c.getBean(TrustedProxies.class));
                });
    }

    @Test
    void anApplicationFilterRegistrationReplacesTheAutoConfiguredOne() {
        runner.withPropertyValues("portcullis.web.filter.enabled=true", "portcullis.web.permit=GET /health").run(c -> {
            List<FilterRegistrationBean<?>> auto = filters(c);
            assertEquals(1, auto.size());
            assertEquals(PortcullisWebAutoConfiguration.FILTER_ORDER, auto.get(0).getOrder());
        });
        runner.withPropertyValues("portcullis.web.filter.enabled=true").withUserConfiguration(OwnFilter.class)
                .run(c -> {
                    assertEquals(1, filters(c).size());
                    assertFalse(c.containsBean("portcullisFilter"));
                });
    }

    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    static class OwnFilter {
        @org.springframework.context.annotation.Bean
        FilterRegistrationBean<PortcullisFilter> myFilter(Portcullis portcullis) {
            return new FilterRegistrationBean<>(PortcullisFilter.builder(portcullis.authenticator()).permitUnmatched().build());
        }
    }

    @Test
    void applicationHealthAndSecurityBeansReplaceTheAutoConfiguredOnes() {
        HealthIndicator health = () -> Health.up().build();
        PortcullisPermissionEvaluator evaluator = new PortcullisPermissionEvaluator();
        DefaultMethodSecurityExpressionHandler handler = new DefaultMethodSecurityExpressionHandler();
        runner.withBean("portcullisHealthIndicator", HealthIndicator.class, () -> health)
                .withBean(PermissionEvaluator.class, () -> evaluator)
                .withBean(MethodSecurityExpressionHandler.class, () -> handler)
                .withBean(UserDetailsService.class, () -> new InMemoryUserDetailsManager(
                        User.withUsername("admin").password("{noop}x").roles("ADMIN").build()))
                .run(c -> {
                    assertSame(health, c.getBean("portcullisHealthIndicator"));
                    assertSame(evaluator, c.getBean(PermissionEvaluator.class));
                    assertSame(handler, c.getBean(MethodSecurityExpressionHandler.class));
                    assertTrue(c.getBeansOfType(PortcullisAuthenticationProvider.class).isEmpty(),
                            "no provider bean beside the application's user details: its logins stay as they were");
                });
        PortcullisAuthenticationProvider provider = new PortcullisAuthenticationProvider(
                Portcullis.builder().store(CredentialStore.inMemory()).build().authenticator());
        runner.withBean(PortcullisAuthenticationProvider.class, () -> provider)
                .run(c -> assertSame(provider, c.getBean(PortcullisAuthenticationProvider.class)));
    }

    @Test
    void propertiesReachTheBuilder(@TempDir Path dir) throws Exception {
        Path pepper = dir.resolve("pepper.bin");
        Files.write(pepper, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
        runner.withPropertyValues("portcullis.key-prefix=mk", "portcullis.key-usernames=key,api", "portcullis.realm=mail api",
                "portcullis.pepper.file=" + pepper, "portcullis.cache.maximum-size=1000", "portcullis.cache.max-staleness=2m",
                "portcullis.cache.refresh-interval=30s", "portcullis.failure-budgets.per-network.rate=5",
                "portcullis.failure-budgets.per-network.per=1m", "portcullis.default-rate-limit[0].rate=100",
                "portcullis.default-rate-limit[0].per=1s", "portcullis.default-rate-limit[0].burst=200",
                "portcullis.argon2.slots=2", "portcullis.argon2.max-wait=50ms", "portcullis.usage-flush-interval=5s",
                "portcullis.trusted-proxies.header=forwarded", "portcullis.trusted-proxies.cidrs=10.0.0.0/8,192.168.0.0/16")
                .run(c -> {
                    assertTrue(c.getStartupFailure() == null, () -> String.valueOf(c.getStartupFailure()));
                    Portcullis p = c.getBean(Portcullis.class);
                    IssuedKey key = p.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build());
                    assertTrue(key.token().startsWith("mk_"), key.token());
                    var allowed = p.authenticator().authenticate(AuthRequest.http(Http.basic("key", key.token()), "203.0.113.9"));
                    assertTrue(allowed.allowed(), allowed.toString());
                    assertEquals("\"default\";q=200;w=1", allowed.http().headers().get("RateLimit-Policy"), "the default limit");
                    var denied = p.authenticator().authenticate(AuthRequest.http((String) null, "203.0.113.9"));
                    assertEquals("Basic realm=\"mail api\", charset=\"UTF-8\"", denied.http().headers().get("WWW-Authenticate"));
                    assertEquals("Forwarded", c.getBean(TrustedProxies.class).headerName());
                    String digest = c.getBean(CredentialStore.class).findById(key.id()).orElseThrow().toString();
                    assertFalse(digest.contains(key.secret()), "no secret in a record's text");
                });
    }

    @Test
    void aBadPepperStopsTheStartWithoutShowingIt() {
        String shortOne = Base64.getEncoder().encodeToString("sixteen-byte-pep".getBytes());
        runner.withPropertyValues("portcullis.pepper.value=" + shortOne).run(c -> {
            Throwable failure = c.getStartupFailure();
            assertTrue(failure != null);
            assertTrue(messages(failure).contains("portcullis.pepper must have at least 32 bytes, has 16"), messages(failure));
            assertFalse(messages(failure).contains(shortOne));
        });
        String notBase64 = "this is * not base64 but a secret-ish text!";
        runner.withPropertyValues("portcullis.pepper.value=" + notBase64).run(c -> {
            String all = messages(c.getStartupFailure());
            assertTrue(all.contains("portcullis.pepper.value is not base64"), all);
            assertFalse(all.contains("secret-ish"), all);
        });
    }

    @Test
    void thePepperIsNotInThePropertiesText() {
        runner.withPropertyValues("portcullis.pepper.value=" + Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'Q'))
                .run(c -> {
                    String text = c.getBean(dev.portcullis.spring.boot.PortcullisProperties.class).toString();
                    assertFalse(text.contains("QQQQ"), text);
                    assertTrue(text.contains("from a property"), text);
                });
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable e = t; e != null; e = e.getCause()) {
            b.append(e.getMessage()).append('\n');
        }
        return b.toString();
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<FilterRegistrationBean<?>> filters(org.springframework.context.ApplicationContext c) {
        return (List) c.getBeansOfType(FilterRegistrationBean.class).values().stream()
                .filter(r -> r.getFilter() instanceof PortcullisFilter).toList();
    }

    @Test
    void twoContextsGetTwoPortcullis() {
        runner.run(one -> runner.run(two -> assertNotSame(one.getBean(Portcullis.class), two.getBean(Portcullis.class))));
    }
}
