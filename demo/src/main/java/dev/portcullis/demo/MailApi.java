package dev.portcullis.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.Portcullis.Health;
import dev.portcullis.Portcullis;
import dev.portcullis.Principal;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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

    /** Which request needs which permission; anything else is refused (403) without reading credentials. */
    static PortcullisFilter filter(Portcullis portcullis) {
        return PortcullisFilter.builder(portcullis.authenticator())
                .route("POST", "/v3/{domain}/messages", "messages:send", "domain")
                .route("GET", "/v3/domains", "domains:read")
                .route("POST", "/v1/keys", "keys:write")
                .route("GET", "/v1/keys", "keys:read")
                .route("POST", "/v1/keys/{id}/rotate", "keys:write")
                .route("DELETE", "/v1/keys/{id}", "keys:write")
                .permit("GET", "/healthz")
                .build();
    }

    static ServletContextHandler context(DataFolder data) {
        ServletContextHandler context = new ServletContextHandler("/");
        context.addFilter(filter(data.portcullis), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new MessagesServlet(data), "/v3/*").getRegistration().setMultipartConfig(
                new MultipartConfigElement(System.getProperty("java.io.tmpdir"), MAX_MESSAGE, MAX_MESSAGE, (int) MAX_MESSAGE));
        context.addServlet(new DomainsServlet(data), "/v3/domains");
        KeysServlet keys = new KeysServlet(data);
        context.addServlet(keys, "/v1/keys");
        context.addServlet(keys, "/v1/keys/*");
        context.addServlet(new HealthServlet(data.portcullis), "/healthz");
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

    /** {@code POST /v3/{domain}/messages} with {@code from}, {@code to}, {@code subject}, {@code text}, as a form or multipart. */
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
            try {
                InternetAddress from = one("from", req);
                String sender = from.getAddress();
                if (!sender.toLowerCase(Locale.ROOT).endsWith("@" + domain)) {
                    throw new IllegalArgumentException("from: must be an address at " + domain + ", not " + sender);
                }
                List<InternetAddress> to = addresses("to", req);
                String subject = required("subject", req);
                if (subject.chars().anyMatch(Character::isISOControl)) {
                    throw new IllegalArgumentException("subject: must be one line without control characters");
                }
                String text = required("text", req);
                String id = Outbox.newId(domain);
                data.outbox.queue(id, from, to, subject, text, principal(req).keyId());
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("id", id);
                body.put("message", "Queued. Thank you.");
                json(res, 200, body);
            } catch (IllegalArgumentException | IllegalStateException e) {
                // IllegalStateException: Jetty's answer to a body over the multipart limits.
                error(res, 400, e.getMessage());
            }
        }

        private static String required(String field, HttpServletRequest req) {
            String v = req.getParameter(field);
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("missing field: " + field);
            }
            return v;
        }

        private static InternetAddress one(String field, HttpServletRequest req) {
            List<InternetAddress> a = parse(field, required(field, req));
            if (a.size() != 1) {
                throw new IllegalArgumentException(field + ": exactly one address");
            }
            return a.get(0);
        }

        /** Every address of every value of the field: {@code to} may repeat and each may hold a comma-separated list. */
        private static List<InternetAddress> addresses(String field, HttpServletRequest req) {
            String[] values = req.getParameterValues(field);
            if (values == null) {
                throw new IllegalArgumentException("missing field: " + field);
            }
            List<InternetAddress> out = new ArrayList<>();
            for (String v : values) {
                out.addAll(parse(field, v));
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("missing field: " + field);
            }
            return out;
        }

        private static List<InternetAddress> parse(String field, String value) {
            try {
                InternetAddress[] parsed = InternetAddress.parse(value, true);
                for (InternetAddress a : parsed) {
                    a.validate();
                }
                return List.of(parsed);
            } catch (AddressException e) {
                throw new IllegalArgumentException(field + ": not an email address (" + e.getMessage() + ")");
            }
        }
    }

    /** {@code GET /v3/domains}: the caller's account's domains that it may read. */
    static final class DomainsServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient DataFolder data;

        DomainsServlet(DataFolder data) {
            this.data = data;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            Principal p = principal(req);
            List<Map<String, Object>> items = new ArrayList<>();
            for (String d : data.domains.of(p.account())) {
                if (p.permits("domains:read", d)) {
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("name", d);
                    item.put("state", "active");
                    items.add(item);
                }
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("total_count", items.size());
            body.put("items", items);
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
            body.put("cachedCredentials", h.cachedCredentials());
            json(res, h.status() == Health.Status.DOWN ? 503 : 200, body);
        }
    }
}
