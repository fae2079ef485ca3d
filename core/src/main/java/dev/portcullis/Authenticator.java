package dev.portcullis;

/**
 * Decides on requests: the read half of {@link Portcullis}. Never throws for bad input or a
 * failing store; every problem is a denial with a {@link DenyReason}, and every attempt emits one
 * {@link AuthEvent}. Thread-safe.
 */
public interface Authenticator {

    /**
     * Runs the pipeline of DESIGN §2 on one request: parse, identify, look up, verify, status,
     * and, as the request asks, the further stages.
     */
    AuthResult authenticate(AuthRequest request);
}
