package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Issue 26's property: over random sequences of requests with random costs, against random key and
 * account limits and credits, every decision is the one a plain model makes — so admitted cost never
 * exceeds what the limits and credits allow, and a denied request (at the grant, a limit or the
 * credits) leaves every counter as it was. The clock stands still: buckets do not refill.
 */
class CreditsProperties {

    /** One request: its cost, and whether it asks for what the key is granted. */
    record Ask(int cost, boolean granted, boolean viaAccountKey) {}

    @Provide
    Arbitrary<List<Ask>> asks() {
        Arbitrary<Ask> one = Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.of(true, true, true, false),
                Arbitraries.of(true, false)).as(Ask::new);
        return one.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 150)
    void everyDecisionIsTheModelsAndADenialChangesNothing(
            @ForAll("asks") List<Ask> asks,
            @ForAll @IntRange(min = 1, max = 12) int keyBurst,
            @ForAll @IntRange(min = 0, max = 15) int keyCredits,
            @ForAll @IntRange(min = 1, max = 20) int accountBurst,
            @ForAll @IntRange(min = 0, max = 25) int accountCredits,
            @ForAll boolean keyHasCredits,
            @ForAll boolean accountHasCredits) {
        Fixtures f = new Fixtures();
        f.keys().setAccountRateLimit("acme", RateLimitPolicy.of(Limit.perDay(accountBurst)));
        if (accountHasCredits) {
            f.keys().setAccountCredits("acme", (long) accountCredits, null);
        }
        IssuedKey[] keys = new IssuedKey[2];
        long[] tokens = new long[2];
        long[] credits = new long[2];
        for (int i = 0; i < 2; i++) {
            KeySpec.Builder b = KeySpec.builder().account("acme").grant("messages:send", "example.com")
                    .rateLimit(RateLimitPolicy.of(Limit.perDay(keyBurst)));
            if (keyHasCredits) {
                b.credits(keyCredits);
            }
            keys[i] = f.keys().create(b.build());
            tokens[i] = keyBurst;
            credits[i] = keyHasCredits ? keyCredits : Long.MAX_VALUE;
        }
        long accountTokens = accountBurst;
        long accountLeft = accountHasCredits ? accountCredits : Long.MAX_VALUE;
        for (Ask ask : asks) {
            int k = ask.viaAccountKey() ? 1 : 0;
            AuthResult r = f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", keys[k].token()), "203.0.113.7")
                    .require("messages:send", ask.granted() ? "example.com" : "other.test").cost(ask.cost()));
            DenyReason expected;
            if (!ask.granted()) {
                expected = DenyReason.PERMISSION_DENIED;
            } else if (ask.cost() == 0) {
                // free: takes nothing, but a spent limit still refuses it; credits never do
                expected = tokens[k] == 0 || accountTokens == 0 ? DenyReason.RATE_LIMITED : null;
            } else if (ask.cost() > tokens[k] || ask.cost() > accountTokens) {
                expected = DenyReason.RATE_LIMITED;
            } else if (ask.cost() > credits[k] || ask.cost() > accountLeft) {
                expected = DenyReason.CREDITS_EXHAUSTED;
            } else {
                expected = null;
                tokens[k] -= ask.cost();
                accountTokens -= ask.cost();
                credits[k] -= keyHasCredits ? ask.cost() : 0;
                accountLeft -= accountHasCredits ? ask.cost() : 0;
            }
            assertEquals(expected, r.reason(), ask.toString());
            for (int i = 0; i < 2; i++) {
                Long shown = f.keys().get(keys[i].id()).orElseThrow().credits();
                assertEquals(keyHasCredits ? Long.valueOf(credits[i]) : null, shown, "key " + i + " after " + ask);
            }
        }
        // And what the limiter holds now is exactly what the model says is left: one more request
        // of each key takes the rest, and not one token more.
        for (int i = 0; i < 2; i++) {
            long rest = Math.min(tokens[i], accountTokens);
            if (rest > 0 && credits[i] >= rest && accountLeft >= rest) {
                AuthResult all = f.auth().authenticate(AuthRequest.http(Fixtures.basic("api", keys[i].token()), "203.0.113.7")
                        .require("messages:send", "example.com").cost(rest));
                assertEquals(null, all.reason(), "the model's " + rest + " tokens are there");
                tokens[i] -= rest;
                accountTokens -= rest;
                credits[i] -= keyHasCredits ? rest : 0;
                accountLeft -= accountHasCredits ? rest : 0;
            }
        }
    }
}
