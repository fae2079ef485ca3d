/**
 * Secrets at rest: token digests (SHA-256 or HMAC-SHA-256 under a pepper, compared in constant
 * time), Argon2id password hashes and their profiles, base62 and CRC32 for the key format.
 * Internal: exported only to the benchmarks.
 */
@NullMarked
package dev.portcullis.internal.crypto;

import org.jspecify.annotations.NullMarked;
