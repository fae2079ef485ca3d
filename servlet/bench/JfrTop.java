import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording of the filtered hello server spent its samples (servlet/bench/profile.sh):
 * the share of PortcullisFilter.doFilter, the part of it that is the application behind it, and
 * what doFilter itself calls, one level down (two inside the core's authenticate). Run with the
 * JDK's single-file launcher: {@code java servlet/bench/JfrTop.java filtered.jfr}.
 */
public final class JfrTop {
    private static final String FILTER = "dev.portcullis.servlet.PortcullisFilter.doFilter";
    private static final String CHAIN_END = "org.eclipse.jetty.ee10.servlet.ServletHandler$ChainEnd.doFilter";
    private static final String CORE = "dev.portcullis.internal.pipeline.DefaultAuthenticator.authenticate";

    public static void main(String[] args) throws Exception {
        int total = 0;
        Map<String, Integer> selfTop = new HashMap<>();
        Map<String, Integer> underFilter = new HashMap<>();
        Map<String, Integer> underCore = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames(); // leaf first
            if (frames.isEmpty()) {
                continue;
            }
            total++;
            selfTop.merge(name(frames.get(0)), 1, Integer::sum);
            int f = indexOf(frames, FILTER);
            if (f < 0) {
                continue;
            }
            if (indexOf(frames.subList(0, f), CHAIN_END) >= 0) {
                underFilter.merge("(the application and Jetty behind the filter)", 1, Integer::sum);
                continue;
            }
            underFilter.merge(f == 0 ? "(doFilter itself)" : name(frames.get(f - 1)), 1, Integer::sum);
            int c = indexOf(frames.subList(0, f), CORE);
            if (c > 0) {
                String child = name(frames.get(c - 1));
                underCore.merge(c > 1 ? child + " > " + name(frames.get(c - 2)) : child, 1, Integer::sum);
            }
        }
        System.out.printf("%d samples (jdk.ExecutionSample)%n", total);
        print("hottest frames (self)", selfTop, total, 15);
        print("inside PortcullisFilter.doFilter", underFilter, total, 25);
        print("inside DefaultAuthenticator.authenticate, two levels down", underCore, total, 15);
    }

    private static int indexOf(List<RecordedFrame> frames, String method) {
        for (int i = 0; i < frames.size(); i++) {
            if (name(frames.get(i)).equals(method)) {
                return i;
            }
        }
        return -1;
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int total, int limit) {
        System.out.println("--- " + title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(en -> System.out.printf("%6d %5.1f %%  %s%n", en.getValue(), 100.0 * en.getValue() / total,
                        en.getKey().replace("dev.portcullis.", "").replace("org.eclipse.jetty.", "jetty.")));
    }
}
