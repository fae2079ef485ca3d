/**
 * Wire parsers: the Authorization header, SASL PLAIN and LOGIN over SMTP. They do no I/O, never
 * throw for any input, and answer not-this-scheme, malformed (with a reason fit for logs) or a
 * credential. Internal: not exported from the module.
 */
package dev.portcullis.internal.wire;
