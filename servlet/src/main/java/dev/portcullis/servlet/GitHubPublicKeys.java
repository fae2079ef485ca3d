package dev.portcullis.servlet;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * GitHub's secret-scanning public keys by key identifier, fetched from the keys URL
 * ({@code {"public_keys":[{"key_identifier":…,"key":"-----BEGIN PUBLIC KEY-----…","is_current":…}]}})
 * with {@code java.net.http}. A known id is answered from memory; an unknown one makes one fetch,
 * at most once per {@link #REFETCH_INTERVAL} after the last successful fetch, so a stream of made-up
 * ids costs GitHub one request a minute. A failed fetch changes nothing and the next request tries
 * again. One fetch at a time; concurrent callers wait for it. Thread-safe.
 */
final class GitHubPublicKeys {
    static final Duration REFETCH_INTERVAL = Duration.ofMinutes(1);
    /** The keys document is a few hundred bytes; anything near this is not it. */
    private static final int MAX_DOCUMENT = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ECParameterSpec P256 = p256();

    /** A fetch that failed: the endpoint answers 503 and revokes nothing. The message holds no secret. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final URI url;
    private final Duration timeout;
    private final String authorization;
    private final Clock clock;
    private final HttpClient client;
    private final Object fetching = new Object();
    private volatile Map<String, PublicKey> keys = Map.of();
    /** When the last successful fetch ended; {@code null} before the first. Guarded by {@link #fetching}. */
    private Instant fetchedAt;

    /** @param authorization {@code Bearer …} for GitHub's rate limits, or {@code null} */
    GitHubPublicKeys(URI url, Duration timeout, String authorization, Clock clock) {
        this.url = url;
        this.timeout = timeout;
        this.authorization = authorization;
        this.clock = clock;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * The key named {@code id}; {@code null} if GitHub does not list it (as of a fetch less than
     * {@link #REFETCH_INTERVAL} ago).
     *
     * @throws Unavailable if a fetch was needed and failed (timeout, status other than 200, not the keys document)
     */
    PublicKey find(String id) throws Unavailable {
        PublicKey k = keys.get(id);
        if (k != null) {
            return k;
        }
        synchronized (fetching) {
            k = keys.get(id); // fetched while this caller waited
            if (k != null) {
                return k;
            }
            Instant now = clock.instant();
            if (fetchedAt != null && now.isBefore(fetchedAt.plus(REFETCH_INTERVAL))) {
                return null;
            }
            keys = fetch();
            fetchedAt = clock.instant();
            return keys.get(id);
        }
    }

    private Map<String, PublicKey> fetch() throws Unavailable {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "application/json").GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        byte[] body;
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new Unavailable("the keys URL answered HTTP " + response.statusCode());
                }
                body = in.readNBytes(MAX_DOCUMENT + 1);
            }
        } catch (java.net.http.HttpTimeoutException e) {
            throw new Unavailable("the keys URL did not answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new Unavailable("the keys URL could not be read: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while fetching the keys");
        }
        if (body.length > MAX_DOCUMENT) {
            throw new Unavailable("the keys document is over " + MAX_DOCUMENT + " bytes");
        }
        return parse(body);
    }

    /** The usable P-256 keys of a keys document; entries that are not one are skipped, and none at all is a failure. */
    static Map<String, PublicKey> parse(byte[] document) throws Unavailable {
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (JacksonException e) {
            throw new Unavailable("the keys document is not JSON");
        } catch (IOException e) {
            throw new Unavailable("the keys document could not be read");
        }
        JsonNode list = root == null ? null : root.get("public_keys");
        if (list == null || !list.isArray()) {
            throw new Unavailable("the keys document has no public_keys list");
        }
        Map<String, PublicKey> out = new HashMap<>();
        for (JsonNode entry : list) {
            JsonNode id = entry.get("key_identifier");
            JsonNode pem = entry.get("key");
            if (id != null && id.isTextual() && !id.textValue().isEmpty() && pem != null && pem.isTextual()) {
                PublicKey key = p256(pem.textValue());
                if (key != null) {
                    out.put(id.textValue(), key);
                }
            }
        }
        if (out.isEmpty()) {
            throw new Unavailable("the keys document lists no ECDSA P-256 key");
        }
        return Map.copyOf(out);
    }

    /** An SPKI PEM public key on P-256, or {@code null} for anything else. */
    static PublicKey p256(String pem) {
        String b64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s+", "");
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
            if (key instanceof ECPublicKey ec && sameCurve(ec.getParams(), P256)) {
                return key;
            }
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            // not base64, not an SPKI EC key: not a key GitHub signs with
        }
        return null;
    }

    private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
        return a.getCurve().equals(b.getCurve()) && a.getOrder().equals(b.getOrder())
                && a.getGenerator().equals(b.getGenerator()) && a.getCofactor() == b.getCofactor();
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec("secp256r1"));
            ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
            if (!spec.getOrder().equals(new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16))) {
                throw new IllegalStateException("secp256r1 is not P-256 in this JDK");
            }
            return spec;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no secp256r1", e);
        }
    }

    @Override
    public String toString() {
        return "GitHubPublicKeys[" + url.getHost() + ", " + keys.size() + " cached]"; // never the token, nor the URL's user info or query
    }
}
