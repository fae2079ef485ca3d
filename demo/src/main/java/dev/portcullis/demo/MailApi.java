package dev.portcullis.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.Portcullis.Health;
import dev.portcullis.Portcullis;
import dev.portcullis.Principal;
import dev.portcullis.servlet.GitHubSecretScanningServlet;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

import java.io.IOException;
import java.net.URI;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP API, Mailgun-style. {@link PortcullisFilter} decides every request before a servlet
 * runs: the servlets below only ever see callers the rules let through, and read who they are
 * from the request.
 */
final class MailApi {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_MESSAGE = 10L * 1024 * 1024;

    private MailApi() {}

    /**
     * Which request needs which permission. A path no rule matches is 404 once the credentials
     * hold, and a rule's path with another method 405 (the filter's rule); the domain routes are
     * Mailgun's, at {@code /v3} and {@code /v4} alike, since its clients call either.
     */
    static PortcullisFilter filter(Portcullis portcullis) {
        return PortcullisFilter.builder(portcullis.authenticator())
                .route("POST", "/v3/{domain}/messages", "messages:send", "domain")
                .route("GET", "/v3/domains", "domains:read")
                .route("GET", "/v4/domains", "domains:read")
                .route("GET", "/v3/domains/{domain}", "domains:read", "domain")
                .route("GET", "/v4/domains/{domain}", "domains:read", "domain")
                .route("POST", "/v1/keys", "keys:write")
                .route("GET", "/v1/keys", "keys:read")
                .route("POST", "/v1/keys/{id}/rotate", "keys:write")
                .route("DELETE", "/v1/keys/{id}", "keys:write")
                .route("PATCH", "/v1/keys/{id}/credits", "keys:write")
                // A message costs its recipients (to, cc, bcc), charged once the body is read.
                .cost("POST", "/v3/{domain}/messages", 0)
                // Reads are free, so they never eat a trial key's messages (a spent rate limit still refuses them).
                .cost("GET", "/v3/domains", 0)
                .cost("GET", "/v4/domains", 0)
                .cost("GET", "/v3/domains/{domain}", 0)
                .cost("GET", "/v4/domains/{domain}", 0)
                // Leak response: the key itself (RevokeSelf checks it, any grants), anyone (Report), GitHub (its signature).
                .permit("DELETE", "/v1/keys/self")
                .permit("POST", "/v1/leaks")
                .permit("POST", "/v1/github/secret-scanning")
                .permit("GET", "/healthz")
                .build();
    }

    static ServletContextHandler context(DataFolder data) {
        return context(data, GitHubSecretScanningServlet.GITHUB_KEYS_URL);
    }

    /** The API, its GitHub secret-scanning endpoint fetching GitHub's keys from {@code githubKeysUrl}. */
    static ServletContextHandler context(DataFolder data, URI githubKeysUrl) {
        ServletContextHandler context = new ServletContextHandler("/");
        context.setErrorHandler(new JsonErrors.ForContext());
        context.setMaxFormContentSize((int) MAX_MESSAGE); // a form-encoded message may be as large as a multipart one
        context.addFilter(filter(data.portcullis), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new MessagesServlet(data), "/v3/*").getRegistration().setMultipartConfig(
                new MultipartConfigElement(System.getProperty("java.io.tmpdir"), MAX_MESSAGE, MAX_MESSAGE, 256 * 1024));
        DomainsServlet domains = new DomainsServlet(data);
        context.addServlet(domains, "/v3/domains/*");
        context.addServlet(domains, "/v4/domains/*");
        KeysServlet keys = new KeysServlet(data);
        context.addServlet(keys, "/v1/keys");
        context.addServlet(keys, "/v1/keys/*");
        context.addServlet(new HealthServlet(data.portcullis), "/healthz");
        context.addServlet(new LeakEndpoints.RevokeSelf(data), "/v1/keys/self"); // an exact mapping wins over /v1/keys/*
        context.addServlet(new LeakEndpoints.Report(data), "/v1/leaks");
        context.addServlet(GitHubSecretScanningServlet.builder(data.portcullis.keys().changedBy("github secret scanning", null))
                .keysUrl(githubKeysUrl).build(), "/v1/github/secret-scanning");
        return context;
    }

    static Principal principal(HttpServletRequest req) {
        return (Principal) req.getAttribute(PortcullisFilter.PRINCIPAL_ATTRIBUTE);
    }

    static void json(HttpServletResponse res, int status, Object body) throws IOException {
        res.setStatus(status);
        res.setHeader("Cache-Control", "no-store");
        res.setContentType("application/json;charset=utf-8");
        JSON.writeValue(res.getOutputStream(), body);
    }

    static void error(HttpServletResponse res, int status, String message) throws IOException {
        json(res, status, Map.of("message", message));
    }

    /**
     * {@code POST /v3/{domain}/messages}: Mailgun's fields ({@link MessageRequest}), as a form or
     * multipart, composed into a MIME message in the outbox; Mailgun's answer.
     */
    static final class MessagesServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient DataFolder data;

        MessagesServlet(DataFolder data) {
            this.data = data;
        }

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
            if (req.getCharacterEncoding() == null) {
                req.setCharacterEncoding("UTF-8");
            }
            // The filter decided on the canonical domain (lower case, IDN in ASCII); use it, not the raw path.
            String domain = (String) req.getAttribute(PortcullisFilter.RESOURCE_ATTRIBUTE);
            MessageRequest message;
            try {
                message = MessageRequest.read(req, domain);
            } catch (IllegalArgumentException e) {
                res.setHeader("Connection", "close"); // the body may be left unread
                error(res, 400, e.getMessage());
                return;
            } catch (IllegalStateException e) {
                res.setHeader("Connection", "close");
                // Jetty's answer to a form over the limits set in context()
                error(res, 413, "the message is over the demo's limit of " + MAX_MESSAGE / (1024 * 1024) + " MiB");
                return;
            }
            // Each recipient costs 1 of the key's limits and credits, all or nothing (429 if they cannot pay).
            if (!PortcullisFilter.charge(req, res, "messages:send", message.recipients().size())) {
                return;
            }
            String id = Outbox.newId(domain);
            data.outbox.queue(id, message, principal(req).keyId());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("message", "Queued. Thank you.");
            json(res, 200, body);
        }
    }

    /** {@code GET /healthz}: public, for probes; 503 when the store does not answer. */
    static final class HealthServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient Portcullis portcullis;

        HealthServlet(Portcullis portcullis) {
            this.portcullis = portcullis;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            Health h = portcullis.health();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", h.status().name());
            body.put("storeReachable", h.storeReachable());
            body.put("storeLatencyMillis", h.storeLatency().toMillis());
            body.put("changeFeedLagMillis", h.changeFeedLag().toMillis());
            body.put("pushConnected", h.pushConnected());
            body.put("cachedCredentials", h.cachedCredentials());
            json(res, h.status() == Health.Status.DOWN ? 503 : 200, body);
        }
    }
}
