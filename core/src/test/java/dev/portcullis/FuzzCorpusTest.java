package dev.portcullis;

import dev.portcullis.testing.FuzzCorpora;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fuzz corpora are where Jazzer's regression mode reads them, and hold no real-looking secret
 * ({@link FuzzCorpora} says what that means; the servlet module checks its own the same way).
 */
class FuzzCorpusTest {
    static final List<String> TARGETS = List.of("dev.portcullis.AddressFuzzTest", "dev.portcullis.AuthenticateFuzzTest",
            "dev.portcullis.KeyFormatFuzzTest", "dev.portcullis.SaslExchangeFuzzTest",
            "dev.portcullis.internal.wire.AuthorizationFuzzTest", "dev.portcullis.internal.wire.SaslFuzzTest");

    @Test
    void everyTargetHasItsSeedsAndEveryCorpusItsTarget() throws Exception {
        List<Class<?>> targets = new ArrayList<>();
        for (String name : TARGETS) {
            targets.add(Class.forName(name));
        }
        FuzzCorpora.assertEveryTargetHasItsSeeds(targets, 11);
    }

    @Test
    void noSeedOrTestSourceHoldsAKeyOfAnotherPrefix() throws Exception {
        FuzzCorpora.assertNoKeyOfAnotherPrefix(Set.of("kat", "kat_live"), 151);
    }
}
