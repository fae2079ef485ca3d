/**
 * Addresses and networks, strict and without DNS: address literals, CIDR blocks, and the compiled
 * per-credential allowlist the Network stage checks. Internal: exported only to the benchmarks.
 */
@NullMarked
package dev.portcullis.internal.net;

import org.jspecify.annotations.NullMarked;
