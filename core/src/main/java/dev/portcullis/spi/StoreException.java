package dev.portcullis.spi;

import dev.portcullis.PortcullisException;

/**
 * The store could not answer: unreachable, timed out, or failed. Readers deny with
 * {@code STORE_UNAVAILABLE}; they never allow on this.
 */
public class StoreException extends PortcullisException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
