/**
 * The request pipeline of DESIGN §2, one class per stage, and the objects its timing-critical
 * paths run over.
 *
 * <table>
 *   <caption>Stages, in order</caption>
 *   <tr><th>Stage</th><th>Class</th></tr>
 *   <tr><td>Parse</td><td>{@code internal.wire.AuthorizationParser}, SASL: {@code internal.wire.SaslMachines}</td></tr>
 *   <tr><td>Identify</td><td>{@link dev.portcullis.internal.pipeline.Identify}</td></tr>
 *   <tr><td>Throttle</td><td>{@link dev.portcullis.internal.pipeline.Throttle} over {@link dev.portcullis.internal.pipeline.FailureBudgets}</td></tr>
 *   <tr><td>Lookup</td><td>{@link dev.portcullis.internal.pipeline.Lookup} over {@code RecordCache}</td></tr>
 *   <tr><td>Verify</td><td>{@code Verify} (token digests; passwords through {@code LoginCache} and Argon2id)</td></tr>
 *   <tr><td>Status</td><td>{@code Status}: revoked, expired, account suspended, channel</td></tr>
 *   <tr><td>Network</td><td>{@code Network}: the allowlist, enforced or report-only</td></tr>
 *   <tr><td>Authorize</td><td>{@code Authorize}: resource owner, then the grant rule</td></tr>
 *   <tr><td>Rate-limit</td><td>{@code RateLimit}: enforced quotas, then report-only ones</td></tr>
 *   <tr><td>Credits</td><td>{@code Credits}: the key's and the account's balances, all or none</td></tr>
 *   <tr><td>Decision + event</td><td>{@code Decision}: the result, usage, metrics, the one event</td></tr>
 * </table>
 *
 * {@code DefaultAuthenticator} is the sequence of these stages and little else; each stage is
 * built by {@link dev.portcullis.internal.pipeline.Wiring} with only what it needs. A stage passes
 * the request on ({@code null}) or ends it with a constant {@code Denial}; no stage allocates on
 * the way to an allow or a denial beyond what the decision itself is made of.
 *
 * <h2>The timing invariant</h2>
 *
 * <p><b>Up to its single denial, an attempt on a credential that does not exist runs the same code,
 * over objects of the same kinds laid out the same way, as an attempt on one that does</b>
 * (checklist I49; {@code TimingLeakTest} measures it): an unknown key id or username must not be
 * told from a known one with a wrong secret by its timing. Hence, in this package:
 * <ul>
 *   <li>every cache entry ({@code CachedCredential}), negative ones included, carries a digest (a
 *       placeholder nothing matches for anything that is not a readable API key), a
 *       {@code Subject}, a fixed denial, and, by username, a {@code CachedCredential.Login} of its
 *       own with a hash (the hasher's dummy at the default profile for no login), a budget account
 *       ({@code FailureBudgets.NO_ACCOUNT}, known from one network, for no login) and its budget
 *       built once; every token is checked against its entry's digest, every password hashed;
 *   <li>the failure budgets are spent and read for every login alike; the stand-in account's
 *       never refuses, so it blocks nobody;
 *   <li>the {@code LoginCache} (pairs verified, pairs failed from the client's network) is read for
 *       every login alike, against the {@code checkId} and {@code checkVersion} every {@code Login}
 *       carries (an interned record id, or {@code LoginCache.NO_RECORD}), so a remembered answer ends
 *       at a reference check for both; a pair's first failure is hashed, remembered and spent, a
 *       repeat is none of these, known login or not; and every hash goes through the same single
 *       flight, keyed the same way;
 *   <li>usage is tallied for every attempt: under the credential when it is real, else in a sink
 *       of tallies built the same way and never written ({@code UsageRecorder});
 *   <li>strings a path compares (account names, budget keys) are interned or copied where their
 *       entry is built, so no path does text work the other does not.
 * </ul>
 * A change to these objects, or to the order a path touches them in, is a change to the invariant:
 * run {@code TimingLeakTest}. That is why the stages and these objects share one package: they
 * read each other's fields directly, and the invariant is stated once, here.
 *
 * <p>Internal: not exported (the benchmarks reach the stages through the API).
 */
@NullMarked
package dev.portcullis.internal.pipeline;

import org.jspecify.annotations.NullMarked;
