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
}
