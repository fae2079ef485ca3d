package dev.portcullis.spring.security;

import dev.portcullis.AuthResult;

import java.io.Serial;

import org.springframework.security.core.AuthenticationException;

/**
 * Portcullis denied a request: the {@link AuthResult} says how to answer (401 with its
 * {@code WWW-Authenticate}, 403, 429 with {@code Retry-After} and {@code RateLimit}, 503). The message
 * is the generic one of the wire ({@code Unauthorized}, …), never which check failed; that is in the
 * result's {@link AuthResult#reason() reason} and the audit event.
 */
public final class PortcullisAuthenticationException extends AuthenticationException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient AuthResult result;

    public PortcullisAuthenticationException(AuthResult result) {
        super(result.http().message());
        this.result = result;
    }

    /** The denial. */
    public AuthResult result() {
        return result;
    }
}
