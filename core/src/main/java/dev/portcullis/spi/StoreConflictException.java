package dev.portcullis.spi;

import dev.portcullis.PortcullisException;

/**
 * A save lost a race or broke a uniqueness rule: the record changed since it was read (its
 * version moved on), the id already exists, or the username belongs to another record.
 * Nothing was written; read again and retry if the change still applies.
 */
public class StoreConflictException extends PortcullisException {
    private static final long serialVersionUID = 1L;

    public StoreConflictException(String message) {
        super(message);
    }
}
