package dev.portcullis.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;
import dev.portcullis.jdbc.JdbcCredentialStore;
import dev.portcullis.spi.CredentialStore;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The JDBC store on the application's own H2 DataSource (HikariCP, from {@code spring.datasource.*}),
 * beside the application's own Flyway migrations: a key created in one run of the application
 * still works after the context is closed and a new one started on the same database, and the usage
 * counted in the first run was written at its close.
 */
class JdbcRestartTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(MailController.class)
    static class App {}

    @RestController
    static class MailController {
        @PostMapping("/v3/{domain}/messages")
        String send(@PathVariable String domain, dev.portcullis.Principal who) {
            return "queued by " + who.keyId();
        }
    }

    private static ConfigurableApplicationContext start(Path dir) {
        return new SpringApplicationBuilder(App.class).properties(
                "server.port=0",
                "spring.autoconfigure.exclude=" + Apps.SECURITY + "," + Apps.REDIS,
                "spring.datasource.url=jdbc:h2:file:" + dir.resolve("app") + ";DB_CLOSE_ON_EXIT=FALSE",
                "spring.datasource.username=sa",
                "portcullis.web.filter.enabled=true",
                "portcullis.web.routes[0].method=POST",
                "portcullis.web.routes[0].path=/v3/{domain}/messages",
                "portcullis.web.routes[0].permission=messages:send",
                "portcullis.web.routes[0].resource=domain",
                "portcullis.pepper.value=" + java.util.Base64.getEncoder().encodeToString(new byte[40]).replace('A', 'B'))
                .run();
    }

    private static int port(ConfigurableApplicationContext c) {
        return ((WebServerApplicationContext) c).getWebServer().getPort();
    }

    @Test
    void keysSurviveAContextRestartOnTheSameDatabase(@TempDir Path dir) throws Exception {
        IssuedKey key;
        try (ConfigurableApplicationContext first = start(dir)) {
            assertInstanceOf(JdbcCredentialStore.class, first.getBean(CredentialStore.class));
            assertTrue(((JdbcCredentialStore) first.getBean(CredentialStore.class)).pollInterval().toMillis() > 0);
            key = first.getBean(Portcullis.class).keys().create(KeySpec.builder().account("acme").name("survivor")
                    .grant("messages:send", "example.com").build());
            for (int i = 0; i < 3; i++) {
                var r = Http.post(port(first), "/v3/example.com/messages", Http.apiKey(key.token()), "");
                assertEquals(200, r.statusCode(), r.body());
            }
            // The application's Flyway ran first (on a schema with tables it would have refused to migrate
            // without a baseline); the store's migrations have their own history table.
            assertEquals(List.of("APP_NOTE", "PORTCULLIS_ACCOUNT", "PORTCULLIS_CHANGE", "PORTCULLIS_CREDENTIAL", "PORTCULLIS_CREDITS",
                    "PORTCULLIS_FEED_STATE", "PORTCULLIS_SCHEMA_HISTORY", "PORTCULLIS_USAGE", "flyway_schema_history"),
                    tables(first.getBean(DataSource.class)), "the application's Flyway and the store's, side by side");
        } // closes Portcullis (writing the usage it holds), then the store (its feed), then the pool

        try (ConfigurableApplicationContext second = start(dir)) {
            var r = Http.post(port(second), "/v3/example.com/messages", Http.apiKey(key.token()), "");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("queued by " + key.id(), r.body());
            var usage = second.getBean(Portcullis.class).keys().usage(key.id()).orElseThrow();
            assertEquals(4L, usage.counts().get("ALLOWED"), "3 from the first run, written at its close, and this one: " + usage);
            assertEquals(401, Http.post(port(second), "/v3/example.com/messages", Http.apiKey(key.token().substring(0, key.token().length() - 1) + "x"), "").statusCode());
        }
    }

    private static List<String> tables(DataSource ds) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                ResultSet rs = c.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                out.add(rs.getString("TABLE_NAME"));
            }
        }
        out.sort(null);
        return out;
    }
}
