package dev.portcullis.demo;

import dev.portcullis.Principal;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mailgun's domain reads, at {@code /v3/domains} and {@code /v4/domains} alike: the list
 * ({@code {"total_count", "items"}}, with {@code limit} and {@code skip}) and one domain by name
 * ({@code {"domain", "receiving_dns_records", "sending_dns_records"}}), with the fields Mailgun's
 * clients read. The filter checked {@code domains:read} (on the named domain, which the account
 * must own); a domain the account owns only as a parent's subdomain is not one of its domains: 404.
 */
final class DomainsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Set<String> LIST_PARAMETERS = Set.of("limit", "skip");
    /** What mailgun.js sends with {@code domains.get(name, {extended, with_dns})}; the demo has no DNS records to leave out. */
    private static final Set<String> GET_PARAMETERS = Set.of("extended", "with_dns", "h:extended", "h:with_dns");

    private final transient DataFolder data;

    DomainsServlet(DataFolder data) {
        this.data = data;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String info = req.getPathInfo();
        try {
            if (info == null || info.equals("/")) {
                list(req, res);
            } else {
                one(req, res);
            }
        } catch (IllegalArgumentException e) {
            MailApi.error(res, 400, e.getMessage());
        }
    }

    private void list(HttpServletRequest req, HttpServletResponse res) throws IOException {
        parameters(req, LIST_PARAMETERS);
        int limit = number(req, "limit", 100, 1, 1000);
        int skip = number(req, "skip", 0, 0, Integer.MAX_VALUE);
        Principal p = MailApi.principal(req);
        List<Map<String, Object>> items = new ArrayList<>();
        for (String d : data.domains.of(p.account())) {
            if (p.permits("domains:read", d)) {
                items.add(domain(d));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total_count", items.size());
        int n = items.size();
        body.put("items", items.subList(Math.min(skip, n), (int) Math.min(n, (long) skip + limit)));
        MailApi.json(res, 200, body);
    }

    private void one(HttpServletRequest req, HttpServletResponse res) throws IOException {
        parameters(req, GET_PARAMETERS);
        String name = (String) req.getAttribute(PortcullisFilter.RESOURCE_ATTRIBUTE); // canonical, and decided on
        if (!data.domains.of(MailApi.principal(req).account()).contains(name)) {
            MailApi.error(res, 404, "Domain not found");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("domain", domain(name));
        body.put("receiving_dns_records", List.of()); // nothing is received or delivered: no DNS to set up
        body.put("sending_dns_records", List.of());
        MailApi.json(res, 200, body);
    }

    /**
     * A domain as Mailgun shows it. {@code created_at} is when {@code domains.properties} last
     * changed (the demo keeps no other date), in Mailgun's RFC 1123 form; the id is derived from the
     * name, so it is stable.
     */
    private Map<String, Object> domain(String name) throws IOException {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("created_at", DateTimeFormatter.RFC_1123_DATE_TIME.format(created().atOffset(ZoneOffset.UTC)));
        d.put("id", id(name));
        d.put("is_disabled", false);
        d.put("name", name);
        d.put("require_tls", false);
        d.put("skip_verification", false);
        d.put("smtp_login", "postmaster@" + name);
        d.put("spam_action", "disabled");
        d.put("state", "active");
        d.put("type", "custom");
        d.put("web_prefix", "email");
        d.put("web_scheme", "https");
        d.put("wildcard", false);
        return d;
    }

    private Instant created() throws IOException {
        Path file = data.dir.resolve("domains.properties");
        return Files.getLastModifiedTime(file).toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /** 24 hex digits, like Mailgun's ids: the first 12 bytes of the name's SHA-256. */
    private static String id(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void parameters(HttpServletRequest req, Set<String> known) {
        for (String name : Collections.list(req.getParameterNames())) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException(MessageRequest.clip(name) + ": not supported by the Portcullis demo"
                        + (known.contains("limit") ? " (the list takes limit and skip)" : ""));
            }
        }
    }

    private static int number(HttpServletRequest req, String name, int dflt, int min, int max) {
        String v = req.getParameter(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + ": a whole number from " + min + (max == Integer.MAX_VALUE ? " up" : " to " + max)
                + ", not \"" + MessageRequest.clip(v) + "\"");
    }
}
