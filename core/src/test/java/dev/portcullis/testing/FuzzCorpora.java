package dev.portcullis.testing;

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

/**
 * What every module's {@code FuzzCorpusTest} checks of its fuzz corpora and test sources. The core's
 * test jar carries it to the servlet module (core's tests cannot use testkit, which depends on core).
 */
public final class FuzzCorpora {
    /** A key of any native format, by the DESIGN §2 grammar; group 1 is its prefix. */
    private static final Pattern ANY_KEY = Pattern.compile(
            "(?<![A-Za-z0-9_])([a-z][a-z0-9]{0,15}(?:_[a-z0-9]{1,8})?)_[0-9A-Za-z]{50}(?![0-9A-Za-z])");
    /** Other vendors' shapes (gitleaks-style), none of which belongs in this repository. */
    private static final Pattern VENDOR = Pattern.compile("(?<![A-Za-z0-9_])(?:"
            + "gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,}|[sr]k_live_[0-9A-Za-z]{10,}|AKIA[0-9A-Z]{16}"
            + "|xox[abpors]-[0-9A-Za-z-]{10,}|SG\\.[\\w-]{22}\\.[\\w-]{43}|key-[0-9a-f]{32})");

    private FuzzCorpora() {
    }

    /**
     * Each target class's corpora are where Jazzer's regression mode reads them
     * ({@code <Class>Inputs/<method>/} beside the class), one per {@code @FuzzTest} method and no
     * other (an orphaned corpus would never run, and regression mode would not say so), each with
     * at least three seeds; and the targets have {@code methods} such methods in all.
     */
    public static void assertEveryTargetHasItsSeeds(List<Class<?>> targets, int methods) throws IOException, URISyntaxException {
        int found = 0;
        for (Class<?> c : targets) {
            URL inputs = c.getResource(c.getSimpleName() + "Inputs");
            assertTrue(inputs != null, c.getSimpleName() + "Inputs is not on the test class path");
            Set<String> names = new TreeSet<>();
            for (var m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(FuzzTest.class)) {
                    names.add(m.getName());
                }
            }
            Set<String> corpora = new TreeSet<>();
            try (Stream<Path> dirs = Files.list(Path.of(inputs.toURI()))) {
                dirs.filter(Files::isDirectory).forEach(d -> corpora.add(d.getFileName().toString()));
            }
            assertEquals(names, corpora, c.getSimpleName() + ": a corpus per @FuzzTest method, and no other");
            for (String t : names) {
                try (Stream<Path> seeds = Files.list(Path.of(inputs.toURI()).resolve(t))) {
                    long n = seeds.filter(Files::isRegularFile).count();
                    assertTrue(n >= 3, c.getSimpleName() + "#" + t + " has " + n + " seeds");
                }
                found++;
            }
        }
        assertEquals(methods, found, "fuzz targets");
    }

    /**
     * No file under the module's {@code src/test} (seeds and sources alike) holds a key whose prefix
     * is not one of {@code testPrefixes}, or another vendor's key shape: either would set off secret
     * scanners (DESIGN §2 Identify). At least {@code minFiles} files must be read, so that a wrong
     * directory cannot pass.
     */
    public static void assertNoKeyOfAnotherPrefix(Set<String> testPrefixes, int minFiles) throws IOException {
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
                    if (!testPrefixes.contains(m.group(1))) {
                        found.add(tests.relativize(p) + ": a key with prefix " + m.group(1));
                    }
                }
                Matcher v = VENDOR.matcher(text);
                while (v.find()) {
                    found.add(tests.relativize(p) + ": a " + v.group().substring(0, 4) + "… shaped secret");
                }
            }
        }
        assertTrue(files >= minFiles, "scanned " + files + " files");
        assertEquals(List.of(), found);
    }
}
