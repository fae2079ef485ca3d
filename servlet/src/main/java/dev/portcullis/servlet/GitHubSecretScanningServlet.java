package dev.portcullis.servlet;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.portcullis.KeyManager;
import dev.portcullis.spi.StoreException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The endpoint GitHub's secret-scanning partner program POSTs found tokens to: every token that
 * verifies as a key of this Portcullis is revoked at once ({@link KeyManager#reportLeaked}, with the
 * match's URL as the source), and the answer labels each token for GitHub. Map it on the URL you
 * register with GitHub, outside {@link PortcullisFilter}'s rules or as a {@code permit} route: GitHub
 * sends no Portcullis credentials; the signature is its credential.
 *
 * <pre>{@code
 * context.addServlet(new ServletHolder(GitHubSecretScanningServlet.builder(portcullis.keys()).build()),
 *         "/github/secret-scanning");
 * }</pre>
 *
 * <p><b>What is checked, in order.</b> The body is read as sent, at most {@link Builder#maxBodyBytes}
 * (default 1 MiB; more is 413). {@value #KEY_ID_HEADER} and {@value #SIGNATURE_HEADER} must each
 * be sent once (else 400); the key identifier names one of GitHub's public keys, fetched from
 * {@link Builder#keysUrl} with {@code java.net.http} and cached by identifier (an identifier GitHub
 * does not list is 403; an unknown one makes a new fetch at most once a minute; a fetch that fails
 * or times out is 503 with {@code Retry-After}, and the next request fetches again). The signature,
 * base64 of a DER ECDSA signature, must verify with {@code SHA256withECDSA} over the body bytes as
 * received, never over a re-serialisation (else 403). Only then is the body parsed: a JSON array of
 * objects, each with a non-empty string {@code token} and optional string {@code type}, {@code url}
 * and {@code source} (anything else is 400). A request refused at any step revokes nothing.
 *
 * <p><b>The answer</b> is 200 with GitHub's feedback format, one element per match in order:
 * {@code {"token_raw": …, "token_type": …, "label": "true_positive"}} for a token that verified
 * (now revoked, or revoked before), {@code "false_positive"} for anything else (a forgery, a foreign
 * string). The raw token goes back only to GitHub, which sent it; it is never logged or put in an
 * event. A store that fails mid-way is 503: tokens revoked before stay revoked, and GitHub's retry
 * finds them as already revoked. Immutable and thread-safe.
 */
public final class GitHubSecretScanningServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** Where GitHub publishes the keys it signs with. */
    public static final URI GITHUB_KEYS_URL = URI.create("https://api.github.com/meta/public_keys/secret_scanning");
    /** Which of GitHub's keys signed the body. */
    public static final String KEY_ID_HEADER = "Github-Public-Key-Identifier";
    /** Base64 of the DER ECDSA P-256 / SHA-256 signature of the body. */
    public static final String SIGNATURE_HEADER = "Github-Public-Key-Signature";

    static final int DEFAULT_MAX_BODY = 1024 * 1024;
    /** A DER P-256 signature is at most 72 bytes: 96 base64 characters; anything much longer is not one. */
    private static final int MAX_SIGNATURE_TEXT = 256;
    private static final int MAX_KEY_ID = 256;
    private static final int MAX_SOURCE = 500;
    private static final int RETRY_AFTER_SECONDS = 30;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final System.Logger LOG = System.getLogger(GitHubSecretScanningServlet.class.getName());

    private final transient KeyManager keys;
    private final transient GitHubPublicKeys publicKeys;
    private final int maxBody;

    private GitHubSecretScanningServlet(Builder b) {
        this.keys = b.keys;
        this.maxBody = b.maxBody > 0 ? b.maxBody : DEFAULT_MAX_BODY;
        Duration timeout = b.timeout != null ? b.timeout : Duration.ofSeconds(5);
        this.publicKeys = new GitHubPublicKeys(b.keysUrl != null ? b.keysUrl : GITHUB_KEYS_URL, timeout,
                b.githubToken == null ? null : "Bearer " + b.githubToken, b.clock != null ? b.clock : Clock.systemUTC());
    }

    /** Starts an endpoint that reports leaks to {@code keys} (e.g. {@code portcullis.keys().changedBy("github", null)}). */
    public static Builder builder(KeyManager keys) {
        return new Builder(Objects.requireNonNull(keys, "keys"));
    }

    /** One match of the payload, checked. */
    record Match(String token, String type, String url, String source) {}

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (req.getContentLengthLong() > maxBody) {
            refuse(res, 413, "the body is over " + maxBody + " bytes", true);
            return;
        }
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(maxBody + 1);
        }
        if (body.length > maxBody) {
            refuse(res, 413, "the body is over " + maxBody + " bytes", true);
            return;
        }
        String keyId = single(req.getHeaders(KEY_ID_HEADER));
        String signatureText = single(req.getHeaders(SIGNATURE_HEADER));
        if (keyId == null || signatureText == null) {
            refuse(res, 400, "the request must carry one " + KEY_ID_HEADER + " and one " + SIGNATURE_HEADER + " header", false);
            return;
        }
        byte[] signature = signature(signatureText);
        if (!plausibleKeyId(keyId) || signature == null) {
            refuse(res, 400, "malformed " + KEY_ID_HEADER + " or " + SIGNATURE_HEADER, false);
            return;
        }
        PublicKey key;
        try {
            key = publicKeys.find(keyId);
        } catch (GitHubPublicKeys.Unavailable e) {
            LOG.log(System.Logger.Level.WARNING, "secret-scanning report not checked, GitHub's keys are unavailable: " + e.getMessage());
            res.setHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
            refuse(res, 503, "GitHub's public keys could not be fetched; nothing was revoked, try again", false);
            return;
        }
        if (key == null) {
            LOG.log(System.Logger.Level.WARNING, "secret-scanning report refused: GitHub lists no key " + keyId);
            refuse(res, 403, "unknown " + KEY_ID_HEADER, false);
            return;
        }
        if (!verifies(key, body, signature)) {
            LOG.log(System.Logger.Level.WARNING, "secret-scanning report refused: the signature does not verify with key " + keyId);
            refuse(res, 403, "the signature does not verify", false);
            return;
        }
        List<Match> matches = parse(body);
        if (matches == null) {
            refuse(res, 400, "the body must be a JSON array of objects with a string token", false);
            return;
        }
        ArrayNode feedback = JSON.createArrayNode();
        try {
            for (Match m : matches) {
                KeyManager.LeakReport r = keys.reportLeaked(m.token(), source(m));
                feedback.addObject()
                        .put("token_raw", m.token())
                        .put("token_type", m.type())
                        .put("label", r == KeyManager.LeakReport.UNVERIFIED ? "false_positive" : "true_positive");
            }
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.WARNING, "secret-scanning report stopped: the credential store failed ("
                    + e.getClass().getSimpleName() + "); GitHub will send it again");
            res.setHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
            refuse(res, 503, "the credential store is unavailable; try again", false);
            return;
        }
        write(res, 200, JSON.writeValueAsBytes(feedback));
    }

    /** The one value of a header sent once; {@code null} if it is missing or repeated. */
    private static String single(Enumeration<String> values) {
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String v = values.nextElement();
        return values.hasMoreElements() ? null : v.strip();
    }

    private static boolean plausibleKeyId(String id) {
        return !id.isEmpty() && id.length() <= MAX_KEY_ID && id.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /** The DER bytes of a base64 signature; {@code null} if it is not base64 of a plausible length. */
    static byte[] signature(String text) {
        if (text.isEmpty() || text.length() > MAX_SIGNATURE_TEXT) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** ECDSA P-256 with SHA-256 over exactly {@code body}; any malformed signature is simply false. */
    static boolean verifies(PublicKey key, byte[] body, byte[] der) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(key);
            s.update(body);
            return s.verify(der);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // a DER that does not parse, a signature out of range
        }
    }

    /** The matches of a signed body, all checked before any is acted on; {@code null} if the body is not the partner payload. */
    static List<Match> parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
        if (root == null || !root.isArray()) {
            return null;
        }
        List<Match> out = new ArrayList<>(root.size());
        for (JsonNode m : root) {
            if (!m.isObject()) {
                return null;
            }
            JsonNode token = m.get("token");
            if (token == null || !token.isTextual() || token.textValue().isEmpty()) {
                return null;
            }
            String type = text(m.get("type"));
            String url = text(m.get("url"));
            String source = text(m.get("source"));
            if (type == null || url == null || source == null) {
                return null;
            }
            out.add(new Match(token.textValue(), type, url, source));
        }
        return out;
    }

    /** A string field's value, {@code ""} when absent or null, {@code null} when it is something else. */
    private static String text(JsonNode n) {
        if (n == null || n.isNull()) {
            return "";
        }
        return n.isTextual() ? n.textValue() : null;
    }

    /**
     * {@code github commit https://github.com/…}: where GitHub found the token, as the audit source
     * (the key manager takes at most 500 characters, no control characters).
     */
    static String source(Match m) {
        String kind = m.source().matches("[A-Za-z_]{1,40}") ? m.source().toLowerCase(java.util.Locale.ROOT) : "unknown";
        StringBuilder b = new StringBuilder("github ").append(kind);
        if (!m.url().isEmpty()) {
            b.append(' ');
            m.url().codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        }
        if (b.length() > MAX_SOURCE) {
            b.setLength(MAX_SOURCE - 1);
            if (Character.isHighSurrogate(b.charAt(b.length() - 1))) {
                b.setLength(b.length() - 1);
            }
            b.append('…');
        }
        return b.toString();
    }

    private static void refuse(HttpServletResponse res, int status, String message, boolean close) throws IOException {
        if (close) {
            res.setHeader("Connection", "close"); // the body stays unread
        }
        write(res, status, JSON.writeValueAsBytes(Map.of("message", message)));
    }

    private static void write(HttpServletResponse res, int status, byte[] body) throws IOException {
        res.setStatus(status);
        res.setHeader("Cache-Control", "no-store");
        res.setContentType("application/json;charset=utf-8");
        res.setContentLength(body.length);
        res.getOutputStream().write(body);
    }

    @Override
    public String toString() {
        return "GitHubSecretScanningServlet[" + publicKeys + ", max body " + maxBody + "]";
    }

    /** Configures a {@link GitHubSecretScanningServlet}; each setting may be given once (a second call throws {@link IllegalStateException}). */
    public static final class Builder {
        private final KeyManager keys;
        private URI keysUrl;
        private Duration timeout;
        private int maxBody;
        private String githubToken;
        private Clock clock;

        private Builder(KeyManager keys) {
            this.keys = keys;
        }

        /**
         * Where to fetch GitHub's public keys; default {@link #GITHUB_KEYS_URL}.
         *
         * @throws IllegalArgumentException unless it is an absolute http or https URL
         */
        public Builder keysUrl(URI url) {
            once(keysUrl, "keysUrl");
            Objects.requireNonNull(url, "url");
            if (!url.isAbsolute() || !("https".equals(url.getScheme()) || "http".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException("keysUrl must be an absolute http(s) URL");
            }
            this.keysUrl = url;
            return this;
        }

        /**
         * How long a key fetch may take, connecting and reading; default 5 seconds.
         *
         * @throws IllegalArgumentException unless positive and at most a minute
         */
        public Builder keysTimeout(Duration timeout) {
            once(this.timeout, "keysTimeout");
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("keysTimeout must be positive and at most a minute");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The largest body read; a larger one is refused with 413 unread. Default 1 MiB.
         *
         * @throws IllegalArgumentException unless 1 KiB to 64 MiB
         */
        public Builder maxBodyBytes(int bytes) {
            if (maxBody != 0) {
                throw new IllegalStateException("maxBodyBytes was already set to " + maxBody);
            }
            if (bytes < 1024 || bytes > 64 * 1024 * 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be from 1 KiB to 64 MiB");
            }
            this.maxBody = bytes;
            return this;
        }

        /**
         * A GitHub token (no scopes needed) sent as {@code Authorization: Bearer} when fetching the
         * keys, as GitHub suggests against its rate limit for unauthenticated requests. Never shown
         * by {@code toString} or in a log line.
         */
        public Builder githubToken(String token) {
            if (githubToken != null) {
                throw new IllegalStateException("githubToken was already set");
            }
            if (token == null || token.isBlank() || token.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
                throw new IllegalArgumentException("githubToken must be printable ASCII without spaces");
            }
            this.githubToken = token;
            return this;
        }

        /** The clock for the once-a-minute refetch bound; default the system clock. */
        public Builder clock(Clock clock) {
            once(this.clock, "clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public GitHubSecretScanningServlet build() {
            return new GitHubSecretScanningServlet(this);
        }

        private static void once(Object current, String name) {
            if (current != null) {
                throw new IllegalStateException(name + " was already set to " + current);
            }
        }
    }
}
