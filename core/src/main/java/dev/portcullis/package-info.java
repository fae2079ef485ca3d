/**
 * The API: {@link dev.portcullis.Portcullis} (the configured root), the
 * {@link dev.portcullis.Authenticator} and {@link dev.portcullis.KeyManager} it hands out,
 * requests and results, specs and updates, key formats and the scanner, events and listeners,
 * client addresses and proxies, limits. Everything else is in {@code dev.portcullis.spi} (what an
 * integrator implements) or internal, unexported packages.
 */
@NullMarked
package dev.portcullis;

import org.jspecify.annotations.NullMarked;
