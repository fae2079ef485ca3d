package dev.portcullis.store;

/**
 * The store could not answer: unreachable, timed out, or failed. Readers deny with
 * {@code STORE_UNAVAILABLE}; they never allow on this.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
