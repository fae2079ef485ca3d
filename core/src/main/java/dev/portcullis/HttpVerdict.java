package dev.portcullis;

import java.util.Map;

/**
 * How an {@link AuthResult} is answered over HTTP: status, headers to set, and a generic message
 * that reveals nothing of which check failed. Adapters and gateways write no mapping of their own.
 *
 * @param status 200 when allowed, else 401, 403, 429 or 503
 * @param headers e.g. {@code WWW-Authenticate}, {@code Retry-After}, {@code RateLimit}, {@code RateLimit-Policy}
 * @param message a short human text such as {@code Unauthorized}
 */
public record HttpVerdict(int status, Map<String, String> headers, String message) {
    public HttpVerdict {
        headers = Map.copyOf(headers);
    }

    /** A small JSON body: {@code {"message":"Unauthorized"}}. */
    public String jsonBody() {
        return "{\"message\":\"" + message + "\"}";
    }
}
