/**
 * Key management, the write half: create, import, rotate, update, revoke, passwords, accounts and
 * leak reports ({@link dev.portcullis.internal.keys.DefaultKeyManager}), and a key managing its
 * own account within the escalation rule ({@link dev.portcullis.internal.keys.ManagementScope}).
 * It meets the pipeline only at the store and at the one token verifier. Internal: not exported.
 */
@NullMarked
package dev.portcullis.internal.keys;

import org.jspecify.annotations.NullMarked;
