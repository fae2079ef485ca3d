/**
 * Where decisions and changes go: the configured listeners, called by their contract, and the
 * SLF4J audit listener. Internal: not exported.
 */
@NullMarked
package dev.portcullis.internal.audit;

import org.jspecify.annotations.NullMarked;
