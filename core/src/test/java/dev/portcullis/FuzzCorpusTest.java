package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fuzz corpora are where Jazzer's regression mode reads them, and hold no real-looking secret.
 * A corpus under a name no {@code @FuzzTest} method has would never run, and regression mode would
 * not say so; a seed with a key of another prefix would set off secret scanners (DESIGN §2 Identify).
 */
class FuzzCorpusTest {
    static final List<String> TARGETS = List.of("dev.portcullis.AddressFuzzTest", "dev.portcullis.AuthenticateFuzzTest",
            "dev.portcullis.KeyFormatFuzzTest", "dev.portcullis.SaslExchangeFuzzTest",
            "dev.portcullis.internal.wire.AuthorizationFuzzTest", "dev.portcullis.internal.wire.SaslFuzzTest");

    /** A key of any native format, by the DESIGN §2 grammar; only the test prefixes may appear. */
    private static final Pattern ANY_KEY = Pattern.compile(
            "(?<![A-Za-z0-9_])([a-z][a-z0-9]{0,15}(?:_[a-z0-9]{1,8})?)_[0-9A-Za-z]{50}(?![0-9A-Za-z])");
    private static final Set<String> TEST_PREFIXES = Set.of("kat", "kat_live");
    /** Other vendors' shapes (gitleaks-style), none of which belongs in this repository. */
    private static final Pattern VENDOR = Pattern.compile("(?<![A-Za-z0-9_])(?:"
            + "gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,}|[sr]k_live_[0-9A-Za-z]{10,}|AKIA[0-9A-Z]{16}"
            + "|xox[abpors]-[0-9A-Za-z-]{10,}|SG\\.[\\w-]{22}\\.[\\w-]{43}|key-[0-9a-f]{32})");

    @Test
    void everyTargetHasItsSeedsAndEveryCorpusItsTarget() throws IOException, URISyntaxException, ClassNotFoundException {
        int methods = 0;
        for (String name : TARGETS) {
            Class<?> c = Class.forName(name);
            URL inputs = c.getResource(c.getSimpleName() + "Inputs");
            assertTrue(inputs != null, c.getSimpleName() + "Inputs is not on the test class path");
            Set<String> targets = new TreeSet<>();
            for (var m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(FuzzTest.class)) {
                    targets.add(m.getName());
                }
            }
            Set<String> corpora = new TreeSet<>();
            try (Stream<Path> dirs = Files.list(Path.of(inputs.toURI()))) {
                dirs.filter(Files::isDirectory).forEach(d -> corpora.add(d.getFileName().toString()));
            }
            assertEquals(targets, corpora, c.getSimpleName() + ": a corpus per @FuzzTest method, and no other");
            for (String t : targets) {
                try (Stream<Path> seeds = Files.list(Path.of(inputs.toURI()).resolve(t))) {
                    long n = seeds.filter(Files::isRegularFile).count();
                    assertTrue(n >= 3, c.getSimpleName() + "#" + t + " has " + n + " seeds");
                }
                methods++;
            }
        }
        assertEquals(11, methods, "fuzz targets");
    }

    @Test
    void noSeedOrTestSourceHoldsAKeyOfAnotherPrefix() throws IOException {
        Path tests = Path.of(System.getProperty("basedir", "."), "src", "test");
        assertTrue(Files.isDirectory(tests), tests + " not found");
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(tests)) {
            for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                files++;
                String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                Matcher m = ANY_KEY.matcher(text);
                while (m.find()) {
                    if (!TEST_PREFIXES.contains(m.group(1))) {
                        found.add(tests.relativize(p) + ": a key with prefix " + m.group(1));
                    }
                }
                Matcher v = VENDOR.matcher(text);
                while (v.find()) {
                    found.add(tests.relativize(p) + ": a " + v.group().substring(0, 4) + "… shaped secret");
                }
            }
        }
        assertTrue(files > 150, "scanned " + files + " files");
        assertEquals(List.of(), found);
    }
}
