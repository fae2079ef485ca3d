package dev.portcullis.servlet;

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
 * The servlet module's fuzz corpora, checked as the core's {@code FuzzCorpusTest} checks its own:
 * where Jazzer's regression mode reads them, one per {@code @FuzzTest} method (an orphaned corpus
 * would silently not run), at least three seeds each, and no key of another prefix than the
 * test-only {@code kat} in any seed or test source.
 */
class FuzzCorpusTest {
    private static final List<Class<?>> TARGETS = List.of(RoutesFuzzTest.class);
    private static final Pattern ANY_KEY = Pattern.compile(
            "(?<![A-Za-z0-9_])([a-z][a-z0-9]{0,15}(?:_[a-z0-9]{1,8})?)_[0-9A-Za-z]{50}(?![0-9A-Za-z])");

    @Test
    void everyTargetHasItsSeedsAndEveryCorpusItsTarget() throws IOException, URISyntaxException {
        int methods = 0;
        for (Class<?> c : TARGETS) {
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
        assertEquals(2, methods, "fuzz targets");
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
                Matcher m = ANY_KEY.matcher(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    if (!m.group(1).equals("kat")) {
                        found.add(tests.relativize(p) + ": a key with prefix " + m.group(1));
                    }
                }
            }
        }
        assertTrue(files > 20, "scanned " + files + " files");
        assertEquals(List.of(), found);
    }
}
