package dev.portcullis;

/**
 * The root of what Portcullis throws for a refused or impossible management call: a
 * {@link Denied denial} of the acting key, a credential {@link NotFound not found}, and the
 * store's failures and conflicts ({@link dev.portcullis.spi.StoreException}). Bad arguments are
 * the JDK's {@link IllegalArgumentException}, {@link IllegalStateException} and
 * {@link NullPointerException}. The authenticator never throws these for a request: it denies.
 * Messages name ids and rules, never a secret.
 */
public class PortcullisException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PortcullisException(String message) {
        super(message);
    }

    public PortcullisException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A management call the acting key may not make (see {@link KeyManager#actingAs}); nothing changed. */
    public static final class Denied extends PortcullisException {
        private static final long serialVersionUID = 1L;

        public Denied(String message) {
            super(message);
        }
    }

    /** No credential with the id given. */
    public static final class NotFound extends PortcullisException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super(message);
        }
    }
}
