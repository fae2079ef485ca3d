package dev.portcullis;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One authentication or authorization attempt, for audit (ASVS 5.0 16.3.1: every attempt,
 * success or failure). Holds nothing secret: never a token, a password, a Basic or SASL blob,
 * or a username that failed the key format or matched nothing. A key id appears only once the
 * token's checksum held, so it is a real id and not attacker-chosen text.
 *
 * @param at when the decision was made
 * @param channel HTTP or SMTP
 * @param allowed the decision
 * @param reason why it was denied; {@code null} when allowed
 * @param detail a finer, fixed-vocabulary cause safe for logs (e.g. {@code CHECKSUM}, {@code BAD_BASE64}), or {@code null}
 * @param keyId the record id, when known and safe to name; else {@code null}
 * @param account the record's account, when a record was found; else {@code null}
 * @param clientAddress the client address as resolved, or {@code null} if it could not be parsed
 * @param newNetwork whether this allowed use came from a network (IPv4 /24, IPv6 /48) the
 *     credential was never used from before; announced once per network, also across restarts
 * @param wouldDeny for an allowed request, the reason a report-only check (see {@link Check}) would
 *     have denied it; else {@code null}
 */
public record AuthEvent(
        Instant at,
        Channel channel,
        boolean allowed,
        @Nullable DenyReason reason,
        @Nullable String detail,
        @Nullable String keyId,
        @Nullable String account,
        @Nullable String clientAddress,
        boolean newNetwork,
        @Nullable DenyReason wouldDeny) {}
