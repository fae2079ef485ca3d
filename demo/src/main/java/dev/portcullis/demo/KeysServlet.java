package dev.portcullis.demo;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyInfo;
import dev.portcullis.KeyManager;
import dev.portcullis.Principal;
import dev.portcullis.spi.Page;
import dev.portcullis.spi.StoreConflictException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.portcullis.PortcullisException;

/**
 * {@code /v1/keys}: key management over HTTP. The filter checked {@code keys:write} or
 * {@code keys:read}; every operation then runs through {@link KeyManager#actingAs}, which keeps
 * the caller inside its own account and its own grants and expiry (the escalation rule).
 */
final class KeysServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final int MAX_BODY = 64 * 1024;
    private static final ObjectReader CREATE = MailApi.JSON.readerFor(KeyRequests.CreateKey.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectReader ROTATE = MailApi.JSON.readerFor(KeyRequests.Rotate.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectReader CREDITS = MailApi.JSON.readerFor(KeyRequests.Credits.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final transient DataFolder data;

    KeysServlet(DataFolder data) {
        this.data = data;
    }

    private KeyManager keys(HttpServletRequest req) {
        return data.portcullis.keys().changedBy(null, "HTTP " + req.getMethod() + " " + req.getRequestURI())
                .actingAs(MailApi.principal(req));
    }

    /** {@code /v1/keys} → {@code []}, {@code /v1/keys/ID} → {@code [ID]}, {@code /v1/keys/ID/rotate} → {@code [ID, rotate]}. */
    private static String[] rest(HttpServletRequest req) {
        String info = req.getPathInfo();
        return info == null || info.equals("/") ? new String[0] : info.substring(1).split("/", -1);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        run(res, () -> {
            Principal p = MailApi.principal(req);
            int limit = req.getParameter("limit") == null ? 100 : integer(req.getParameter("limit"));
            Page<KeyInfo> page = keys(req).list(p.account(), req.getParameter("cursor"), limit);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("items", page.items().stream().map(KeyRequests::view).toList());
            body.put("next", page.nextCursor());
            MailApi.json(res, 200, body);
        });
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String[] rest = rest(req);
        run(res, () -> {
            Principal p = MailApi.principal(req);
            if (rest.length == 0) {
                KeyRequests.CreateKey body = read(req, CREATE);
                if (body == null) {
                    throw new IllegalArgumentException("the body must be a JSON object");
                }
                String account = body.account() != null ? body.account() : p.account();
                // Another account's key: no domain check here, so the caller hears the escalation rule's 403, not a 400.
                IssuedKey k = keys(req).create(KeyRequests.spec(body, account, account.equals(p.account()) ? data.domains : null));
                MailApi.json(res, 201, issued(k));
            } else { // the filter only lets /v1/keys/{id}/rotate through
                KeyRequests.Rotate body = read(req, ROTATE);
                Duration grace = body == null || body.grace() == null ? KeyRequests.DEFAULT_GRACE
                        : KeyRequests.duration(body.grace(), "grace");
                String id = existing(req, rest[0]);
                IssuedKey k = keys(req).rotate(id, grace);
                Map<String, Object> out = issued(k);
                out.put("replaces", id);
                MailApi.json(res, 201, out);
            }
        });
    }

    /** {@code PATCH /v1/keys/{id}/credits}, the one PATCH the filter lets through. */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws jakarta.servlet.ServletException, IOException {
        if (!req.getMethod().equals("PATCH")) {
            super.service(req, res);
            return;
        }
        String[] rest = rest(req);
        run(res, () -> {
            KeyRequests.Credits body = read(req, CREDITS);
            if (body == null || body.given() != 1 || body.refill() != null && body.remaining() == null) {
                throw new IllegalArgumentException("give {\"remaining\": N, \"refill\": {…}} to set, {\"add\": N} to add,"
                        + " or {\"unlimited\": true}");
            }
            String id = existing(req, rest[0]);
            KeyInfo k = body.add() != null ? keys(req).addCredits(id, body.add())
                    : body.remaining() == null ? keys(req).setCredits(id, null, null)
                    : keys(req).setCredits(id, body.remaining(), body.refill() == null ? null : KeyRequests.refill(body.refill()));
            MailApi.json(res, 200, KeyRequests.view(k));
        });
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String[] rest = rest(req);
        run(res, () -> MailApi.json(res, 200, KeyRequests.view(keys(req).revoke(existing(req, rest[0])))));
    }

    /** A key of the caller's own account; any other id is "not found", so ids of other accounts are not confirmed. */
    private String existing(HttpServletRequest req, String id) {
        return keys(req).get(id).orElseThrow(() -> new PortcullisException.NotFound("no key " + id)).id();
    }

    private static Map<String, Object> issued(IssuedKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("token", k.token()); // shown this once; only its digest is stored
        m.putAll(KeyRequests.view(k.info()));
        return m;
    }

    /** The JSON body, at most 64 KiB; {@code null} when it is empty. */
    private static <T> T read(HttpServletRequest req, ObjectReader reader) throws IOException {
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new IllegalArgumentException("the body is over " + MAX_BODY + " bytes");
        }
        if (new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        try {
            return reader.readValue(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(problem(e));
        }
    }

    /**
     * What is wrong with a JSON body, in the API's words: Jackson's own messages name Java classes
     * ({@code dev.portcullis.demo.KeyRequests$CreateKey}) and types, which callers need not see.
     */
    static String problem(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamReadException bad) { // not JSON at all, wherever in the mapping it showed
                JsonLocation at = bad.getLocation();
                return "malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
            }
        }
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = u.getKnownPropertyIds() == null ? List.of()
                    : u.getKnownPropertyIds().stream().map(String::valueOf).toList();
            return "unknown field \"" + MessageRequest.clip(u.getPropertyName()) + "\"" + where(u.getPath(), true)
                    + (known.isEmpty() ? "" : "; the fields are " + String.join(", ", known));
        }
        if (e instanceof MismatchedInputException m) {
            String path = where(m.getPath(), false);
            return path.isEmpty() ? "the body must be a JSON object"
                    : path + ": expected " + kind(m.getTargetType());
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return where(m.getPath(), false) + ": not a valid value";
        }
        JsonLocation at = e.getLocation();
        return "malformed JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
    }

    /** {@code grants[0]}, {@code rateLimit[1].rate}: where in the body. */
    private static String where(List<JsonMappingException.Reference> path, boolean inOnly) {
        StringBuilder b = new StringBuilder();
        int n = inOnly ? path.size() - 1 : path.size();
        for (int i = 0; i < n; i++) {
            JsonMappingException.Reference r = path.get(i);
            if (r.getFieldName() != null) {
                b.append(b.length() > 0 ? "." : "").append(MessageRequest.clip(r.getFieldName()));
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return inOnly ? (b.length() == 0 ? "" : " in " + b) : b.toString();
    }

    private static String kind(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type == long.class || type == int.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    private static int integer(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit: a number from 1 to 1000");
        }
    }

    private interface Action {
        void run() throws IOException;
    }

    /** Maps the key manager's refusals to statuses, with its message: they name the rule, never a secret. */
    private static void run(HttpServletResponse res, Action action) throws IOException {
        try {
            action.run();
        } catch (PortcullisException.Denied e) {
            MailApi.error(res, 403, e.getMessage());
        } catch (PortcullisException.NotFound e) {
            MailApi.error(res, 404, e.getMessage());
        } catch (StoreConflictException | IllegalStateException e) {
            MailApi.error(res, 409, e.getMessage());
        } catch (IllegalArgumentException e) {
            MailApi.error(res, 400, e.getMessage());
        }
    }
}
