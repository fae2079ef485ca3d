package dev.portcullis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** SLF4J and Micrometer are optional: the whole pipeline runs without either on the class path. */
class OptionalDependenciesTest {

    @Test
    void theCoreRunsWithoutSlf4jOrMicrometer() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("slf4j") && !e.contains("micrometer") && !e.contains("HdrHistogram") && !e.contains("LatencyUtils"))
                .collect(Collectors.joining(File.pathSeparator));
        assertFalse(classPath.contains("micrometer"));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-cp", classPath, NoOptionalDependenciesMain.class.getName())
                .redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals("ok", out.strip().lines().reduce((a, b) -> b).orElse(""), out);
    }
}
