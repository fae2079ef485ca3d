package dev.portcullis.jdbc;

import java.time.Duration;

/** The push half of the change feed, as the store sees it (no PostgreSQL types: H2 users need no pgjdbc). */
interface ChangePush {
    /** Whether notices are being received now. */
    boolean connected();

    /** Stops listening, waiting at most {@code bound}. */
    void close(Duration bound);
}
