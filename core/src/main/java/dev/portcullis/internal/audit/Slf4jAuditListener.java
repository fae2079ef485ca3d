package dev.portcullis.internal.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import dev.portcullis.AuthListener;
import dev.portcullis.AuthEvent;
import dev.portcullis.KeyEvent;

/**
 * Writes every {@link AuthEvent} and {@link KeyEvent} to SLF4J 2 as key-value pairs, so that any
 * structured encoder (logstash-logback-encoder, Log4j's JSON layout, …) renders them as fields;
 * no JSON is built here. Needs {@code org.slf4j:slf4j-api} 2.x on the class path, which Portcullis
 * declares optional.
 *
 * <p>Logger {@value #LOGGER}, level INFO. Messages are {@code auth} and {@code key}. Fields:
 * <ul>
 *   <li>{@code auth}: {@code outcome} ({@code allowed}/{@code denied}), {@code reason},
 *       {@code detail}, {@code channel}, {@code key_id}, {@code account}, {@code client},
 *       {@code new_network} (only when true);
 *   <li>{@code key}: {@code type}, {@code key_id}, {@code account}, {@code actor},
 *       {@code change_reason}, {@code detail}.
 * </ul>
 * Absent values are left out. Events hold no secret by construction, so neither does the log.
 */
public final class Slf4jAuditListener implements AuthListener {
    public static final String LOGGER = dev.portcullis.AuthListener.SLF4J_LOGGER;

    private final Logger log;

    public Slf4jAuditListener() {
        this(LoggerFactory.getLogger(LOGGER));
    }

    public Slf4jAuditListener(Logger log) {
        this.log = log;
    }

    @Override
    public void onEvent(AuthEvent e) {
        if (!log.isInfoEnabled()) {
            return;
        }
        LoggingEventBuilder b = log.atInfo().setMessage("auth")
                .addKeyValue("outcome", e.allowed() ? "allowed" : "denied")
                .addKeyValue("channel", e.channel());
        put(b, "reason", e.reason());
        put(b, "detail", e.detail());
        put(b, "key_id", e.keyId());
        put(b, "account", e.account());
        put(b, "client", e.clientAddress());
        if (e.newNetwork()) {
            b.addKeyValue("new_network", true);
        }
        b.log();
    }

    @Override
    public void onKeyEvent(KeyEvent e) {
        if (!log.isInfoEnabled()) {
            return;
        }
        LoggingEventBuilder b = log.atInfo().setMessage("key").addKeyValue("type", e.type());
        put(b, "key_id", e.keyId());
        put(b, "account", e.account());
        put(b, "actor", e.actor());
        put(b, "change_reason", e.reason());
        put(b, "detail", e.detail());
        b.log();
    }

    private static void put(LoggingEventBuilder b, String key, Object value) {
        if (value != null) {
            b.addKeyValue(key, value);
        }
    }

    @Override
    public String toString() {
        return "Slf4jAuditListener[" + log.getName() + "]";
    }
}
