package dev.portcullis.servlet;

import dev.portcullis.testing.FuzzCorpora;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The servlet module's fuzz corpora, checked as the core checks its own ({@link FuzzCorpora}, from
 * the core's test jar): one per {@code @FuzzTest} method, at least three seeds each, and no key of
 * another prefix than the test-only {@code kat}, nor another vendor's key shape, in any seed or
 * test source.
 */
class FuzzCorpusTest {
    @Test
    void everyTargetHasItsSeedsAndEveryCorpusItsTarget() throws Exception {
        FuzzCorpora.assertEveryTargetHasItsSeeds(List.of(RoutesFuzzTest.class), 2);
    }

    @Test
    void noSeedOrTestSourceHoldsAKeyOfAnotherPrefix() throws Exception {
        FuzzCorpora.assertNoKeyOfAnotherPrefix(Set.of("kat"), 21);
    }
}
