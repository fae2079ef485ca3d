/**
 * What an integrator implements or plugs in: the {@link dev.portcullis.spi.CredentialStore}
 * contract and its records, {@link dev.portcullis.spi.RateLimiter},
 * {@link dev.portcullis.spi.LegacyPasswordVerifier}, {@link dev.portcullis.spi.ResourceOwners}.
 */
@NullMarked
package dev.portcullis.spi;

import org.jspecify.annotations.NullMarked;
