package dev.portcullis.internal.keys;

import dev.portcullis.KeyInfo;
import dev.portcullis.KeyInfo.CredentialKind;
import dev.portcullis.spi.KeyRecord;

/** What key management shows of a stored record. */
public final class KeyInfos {
    private KeyInfos() {
    }

    /** Everything but the digest or hash; an API key displayed as {@code prefix_id…}, a login as its username. */
    public static KeyInfo of(KeyRecord r) {
        return of(r, null);
    }

    /** {@link #of(KeyRecord)} with the credits left now ({@code null} for an unlimited credential). */
    public static KeyInfo of(KeyRecord r, Long credits) {
        String display = r.kind() == CredentialKind.PASSWORD
                ? r.username()
                : (r.prefix() == null ? "imported:" : r.prefix() + "_") + r.id() + "…";
        return new KeyInfo(r.id(), display, r.account(), r.name(), r.kind(), r.username(), r.grants(), r.allowlist(),
                r.rateLimit(), r.channels(), r.createdAt(), r.expiresAt(), r.lifetime(), r.revokedAt(), r.replacedBy(),
                r.changedAt(), r.changedBy(), r.changeReason(), r.reportOnly(), r.creditBalance() == null ? null : credits,
                r.refill(), r.version());
    }
}
