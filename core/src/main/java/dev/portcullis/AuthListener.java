package dev.portcullis;

/**
 * Receives one {@link AuthEvent} per attempt.
 *
 * <p>Contract: called synchronously on the request thread, so it must be fast (hand slow work to
 * a queue of your own), must not block and must not throw. A listener that throws anyway is
 * logged and ignored: it never changes the decision.
 */
@FunctionalInterface
public interface AuthListener {
    void onEvent(AuthEvent event);

    /** A lifecycle change or a leak report; same contract. Ignored unless overridden. */
    default void onKeyEvent(KeyEvent event) {}

    /**
     * The audit log through SLF4J (an optional dependency: call this only with slf4j-api 2 on the
     * class path): every decision and key change as one INFO line with key-value fields on the
     * logger {@value #SLF4J_LOGGER}, messages {@code auth} and {@code key}. No secret is ever among them.
     */
    static AuthListener slf4jAudit() {
        return new dev.portcullis.internal.audit.Slf4jAuditListener();
    }

    /** The logger {@link #slf4jAudit()} writes to. */
    String SLF4J_LOGGER = "dev.portcullis.audit";
}
