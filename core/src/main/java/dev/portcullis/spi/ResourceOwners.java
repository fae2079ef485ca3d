package dev.portcullis.spi;

import org.jspecify.annotations.Nullable;


/**
 * Tells which account owns a resource (e.g. a sending domain), so that {@link Authenticator}
 * denies cross-account access before looking at grants. Without one, a grant of {@code *} means
 * "any resource", and the application must check that the resource belongs to the principal's
 * account itself.
 *
 * <p>Called on the request thread: keep it fast (an in-memory map, a cache).
 */
@FunctionalInterface
public interface ResourceOwners {
    /**
     * @param resource a canonical resource name (lower case, no trailing dot, IDN in ASCII)
     * @return the owning account, or {@code null} if no account owns it (then access is denied)
     */
    @Nullable String ownerOf(String resource);
}
