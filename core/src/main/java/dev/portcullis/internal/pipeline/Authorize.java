package dev.portcullis.internal.pipeline;

import dev.portcullis.DenyReason;
import dev.portcullis.internal.rules.Grants;
import dev.portcullis.spi.ResourceOwners;

/**
 * The Authorize stage (DESIGN §2): a resource of another account is refused first (when a
 * {@link ResourceOwners} resolver is configured), then the grant rule ({@link Grants#allows}).
 */
final class Authorize {
    private static final Denial OTHER_ACCOUNT = new Denial(DenyReason.PERMISSION_DENIED, "OTHER_ACCOUNT");
    private static final Denial NO_GRANT = new Denial(DenyReason.PERMISSION_DENIED, "NO_GRANT");

    /** {@code null} if none is configured: the application checks ownership. */
    private final ResourceOwners owners;

    Authorize(ResourceOwners owners) {
        this.owners = owners;
    }

    /**
     * {@code null} if {@code permission} is granted on {@code canonical} (or nothing is required),
     * else why not. {@code canonical} was checked where it was given; {@code null} is a collection request.
     */
    Denial check(CachedCredential c, String permission, String canonical) {
        if (permission == null) {
            return null;
        }
        if (canonical != null && owners != null && !c.record.account().equals(owners.ownerOf(canonical))) {
            return OTHER_ACCOUNT;
        }
        return Grants.allows(c.grants, permission, canonical) ? null : NO_GRANT;
    }
}
