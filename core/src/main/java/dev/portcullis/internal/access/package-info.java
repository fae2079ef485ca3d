/**
 * The bridge from the internal packages to what the API types keep package-private: one
 * interface, {@link dev.portcullis.internal.access.ApiAccess}, implemented in {@code dev.portcullis}
 * and held in {@code static final} fields, so calls through it inline. Internal: exported only to the benchmarks.
 */
@NullMarked
package dev.portcullis.internal.access;

import org.jspecify.annotations.NullMarked;
