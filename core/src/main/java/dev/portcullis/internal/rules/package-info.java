/**
 * Pure rules the API types, the pipeline and key management share: the grant rule and its
 * implication order, what a request may require, account and username grammar, canonical domain
 * names. No state. Internal: not exported.
 */
@NullMarked
package dev.portcullis.internal.rules;

import org.jspecify.annotations.NullMarked;
