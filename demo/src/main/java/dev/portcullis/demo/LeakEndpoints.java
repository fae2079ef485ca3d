package dev.portcullis.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.AuthEvent;
import dev.portcullis.AuthListener;
import dev.portcullis.AuthRequest;
import dev.portcullis.AuthResult;
import dev.portcullis.ClientAddress;
import dev.portcullis.KeyEvent;
import dev.portcullis.KeyInfo;
import dev.portcullis.Limit;
import dev.portcullis.spi.RateLimiter;
import dev.portcullis.spi.StoreException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo's two ways for whoever holds a key to end it: {@code DELETE /v1/keys/self} with the key
 * itself, and the public {@code POST /v1/leaks} for a key found somewhere. Both are {@code permit}
 * routes of the filter and check what they need themselves.
 */
final class LeakEndpoints {
    private LeakEndpoints() {}

    /**
     * Passes key events on to a listener set after the {@link dev.portcullis.Portcullis} was built
     * (the leak webhook of {@code serve}); none by default. Same contract: fast, never throws.
     */
    static final class Relay implements AuthListener {
        private volatile AuthListener target;

        void to(AuthListener listener) {
            this.target = listener;
        }

        @Override
        public void onEvent(AuthEvent event) {}

        @Override
        public void onKeyEvent(KeyEvent event) {
            AuthListener t = target;
            if (t != null) {
                t.onKeyEvent(event);
            }
        }
    }

    /**
     * {@code DELETE /v1/keys/self}: the key the request is authenticated with revokes itself, whatever
     * its grants (a sending key needs no {@code keys:write} to end itself). The credentials are
     * authenticated here, as the filter would (same 401, failure budgets, events), then the token is
     * handed to {@link dev.portcullis.KeyManager#revokeSelf}, which verifies it again and revokes only
     * what verifies.
     */
    static final class RevokeSelf extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient DataFolder data;

        RevokeSelf(DataFolder data) {
            this.data = data;
        }

        @Override
        protected void doDelete(HttpServletRequest req, HttpServletResponse res) throws IOException {
            List<String> authorization = values(req);
            AuthResult r = data.portcullis.authenticator().authenticate(AuthRequest.http(authorization, req.getRemoteAddr()));
            if (!r.allowed()) {
                AuthResult.HttpVerdict v = r.http();
                v.headers().forEach(res::setHeader);
                MailApi.error(res, v.status(), v.message());
                return;
            }
            String token = token(authorization.get(0));
            Optional<KeyInfo> revoked = token == null ? Optional.empty()
                    : data.portcullis.keys().changedBy(null, "HTTP DELETE /v1/keys/self").revokeSelf(token);
            if (revoked.isEmpty() || !revoked.get().id().equals(r.principal().keyId())) {
                MailApi.error(res, 400, "only an API key revokes itself here; an SMTP login is revoked with DELETE /v1/keys/{id}");
                return;
            }
            MailApi.json(res, 200, KeyRequests.view(revoked.get()));
        }
    }

    /**
     * The API key in an {@code Authorization} value the authenticator accepted: {@code Bearer KEY},
     * {@code Basic base64(USER:KEY)} or {@code Basic base64(KEY:)}. {@code null} for anything else;
     * {@code revokeSelf} verifies whatever this returns, so a wrong guess here can only revoke nothing.
     */
    static String token(String authorization) {
        if (authorization == null) {
            return null;
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            int colon = pair.indexOf(':');
            if (colon < 0) {
                return null;
            }
            String password = pair.substring(colon + 1);
            return password.isEmpty() ? pair.substring(0, colon) : password;
        }
        return authorization.strip(); // a bare key, if the authenticator accepts those
    }

    private static List<String> values(HttpServletRequest req) {
        java.util.Enumeration<String> e = req.getHeaders("Authorization");
        return e == null ? List.of() : new ArrayList<>(Collections.list(e));
    }

    /**
     * {@code POST /v1/leaks} with {@code {"token": "…"}}: anyone who found a key reports it, and it is
     * revoked if and only if it verifies ({@link dev.portcullis.KeyManager#reportLeaked}). The answer is
     * the same 202 and body for a live key, a revoked one, an unknown or forged one and a foreign string,
     * so the endpoint tells nobody whether a token is a key (only a token whose secret is right is acted
     * on, and then it no longer works). Each client network (an IPv4 address, an IPv6 /64) may report
     * {@value #PER_MINUTE} times a minute; beyond that the answer is 429 with {@code Retry-After},
     * whatever the token, and nothing is looked at.
     */
    static final class Report extends HttpServlet {
        private static final long serialVersionUID = 1L;
        static final int PER_MINUTE = 10;
        private static final int MAX_BODY = 16 * 1024;
        static final String ANSWER = "Thank you. If the token is a live key of this service, it is revoked now.";
        private static final Limit LIMIT = Limit.perMinute(PER_MINUTE);

        private final transient DataFolder data;
        private final transient RateLimiter limiter = RateLimiter.local(Clock.systemUTC());

        Report(DataFolder data) {
            this.data = data;
        }

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
            String network = network(req.getRemoteAddr());
            RateLimiter.Take take = limiter.tryTakeAll(List.of(new RateLimiter.Quota("leak-reports/" + network, LIMIT)));
            if (!take.allowed()) {
                res.setHeader("Retry-After", String.valueOf(Math.max(1, (take.nanosToWait() + 999_999_999L) / 1_000_000_000L)));
                res.setHeader("Connection", "close"); // the body stays unread
                MailApi.error(res, 429, "too many reports from your network; try again later");
                return;
            }
            String token = token(req);
            if (token == null) {
                res.setHeader("Connection", "close");
                MailApi.error(res, 400, "the body must be a JSON object {\"token\": \"…\"} of at most " + MAX_BODY + " bytes");
                return;
            }
            try {
                data.portcullis.keys().changedBy("public leak report", null).reportLeaked(token, "POST /v1/leaks from " + network);
            } catch (StoreException e) {
                res.setHeader("Retry-After", "5");
                MailApi.error(res, 503, "try again shortly");
                return;
            }
            MailApi.json(res, 202, Map.of("message", ANSWER));
        }

        private static String token(HttpServletRequest req) throws IOException {
            byte[] body;
            try (InputStream in = req.getInputStream()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                return null;
            }
            try {
                JsonNode n = MailApi.JSON.readTree(body);
                JsonNode t = n == null ? null : n.get("token");
                return n != null && n.isObject() && t != null && t.isTextual() && !t.textValue().isBlank() ? t.textValue().strip() : null;
            } catch (IOException e) {
                return null;
            }
        }

        /** The budget's key: the IPv4 address, or the IPv6 /64 (one host there owns a /64); one shared budget for the unparseable. */
        static String network(String remoteAddr) {
            ClientAddress a = ClientAddress.parse(remoteAddr);
            if (a == null) {
                return "unknown";
            }
            if (a.isIPv4()) {
                return a.toString();
            }
            byte[] b = a.toInetAddress().getAddress();
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                s.append(Integer.toHexString((b[i] & 0xff) << 8 | (b[i + 1] & 0xff))).append(':');
            }
            return s.append(":/64").toString();
        }
    }
}
