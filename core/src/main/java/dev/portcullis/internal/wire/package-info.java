/**
 * Wire parsers: the Authorization header; SASL PLAIN, LOGIN, OAUTHBEARER and XOAUTH2 over SMTP.
 * They do no I/O, never throw for any input, and answer not-this-scheme, malformed (with a reason
 * fit for logs) or a credential. Internal: exported only to the benchmarks.
 */
@NullMarked
package dev.portcullis.internal.wire;

import org.jspecify.annotations.NullMarked;
