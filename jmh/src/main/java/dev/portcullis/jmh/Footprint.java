package dev.portcullis.jmh;

import dev.portcullis.AuthRequest;
import dev.portcullis.Authenticator;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.CredentialStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

/**
 * The memory of a cached credential, measured with JOL: not a benchmark, a {@code main}.
 *
 * <p>It makes {@code keys} API keys as {@link ScaleBenchmark} does (the public API, the in-memory
 * store, ten keys per account, a cache that holds them all) and walks everything reachable from the
 * {@code Portcullis} instance and its store three times: with the keys stored and none used; after
 * one allowed request with each (every key and account cached, each with a usage tally and a known
 * network); and after {@code flushUsage()} (the tallies written and dropped). What a walk has more
 * than the first, class by class, is what the requests added: divided by the key count, the memory
 * of one cached credential, its share of its account's entry, of the caches' tables and of the
 * usage kept for it. The cache and the usage reach each other (a subject counts its uses), so a
 * walk from one part would count the other too: the difference of whole walks is the measure. (By
 * class totals, not by object: a collection between the walks moves objects, and JOL's
 * {@code subtract} matches them by address.)
 *
 * <pre>java -Djdk.attach.allowAttachSelf=true -Djol.magicFieldOffset=true -cp jmh/target/benchmarks.jar dev.portcullis.jmh.Footprint [keys]</pre>
 * (the two properties let JOL read field offsets of records on JDK 17).
 */
public final class Footprint {
    private Footprint() {
    }

    public static void main(String[] args) {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        System.out.println(VM.current().details());
        CredentialStore store = CredentialStore.inMemory();
        try (Portcullis p = Portcullis.builder()
                .store(store)
                .keyFormat(KeyFormat.withPrefix("bench"))
                .cacheMaximumSize(keys)
                .build()) {
            Authenticator authenticator = p.authenticator();
            List<String> headers = new ArrayList<>(keys);
            int accounts = Math.max(1, keys / ScaleBenchmark.KEYS_PER_ACCOUNT);
            for (int i = 0; i < keys; i++) {
                IssuedKey k = p.keys().create(KeySpec.builder().account("acct" + (i % accounts)).name("k" + i).build());
                headers.add(HotPathBenchmark.basic("api", k.token()));
            }
            GraphLayout stored = GraphLayout.parseInstance(p, store);
            for (String h : headers) {
                HotPathBenchmark.requireAllowed(authenticator.authenticate(AuthRequest.http(h, "203.0.113.7")), "request");
            }
            GraphLayout used = GraphLayout.parseInstance(p, store);
            p.flushUsage();
            GraphLayout flushed = GraphLayout.parseInstance(p, store);

            System.out.printf("%,d keys of %,d accounts, all cached%n", keys, accounts);
            report("cached, with a usage tally each (before the usage flush)", stored, used, keys);
            report("cached, after the usage flush (what stays while the keys are in use)", stored, flushed, keys);
        }
    }

    private static void report(String what, GraphLayout before, GraphLayout after, int keys) {
        long size = after.totalSize() - before.totalSize();
        long count = after.totalCount() - before.totalCount();
        System.out.printf("%n== %s: %,d B in %,d objects -> %,d B and %.1f objects per key%n", what, size, count,
                size / keys, (double) count / keys);
        Map<Class<?>, long[]> added = new HashMap<>();
        for (Class<?> c : after.getClasses()) {
            long[] d = {after.getClassSizes().count(c) - before.getClassSizes().count(c),
                    after.getClassCounts().count(c) - before.getClassCounts().count(c)};
            if (d[0] != 0) {
                added.put(c, d);
            }
        }
        added.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<Class<?>, long[]> e) -> -e.getValue()[0])).limit(16)
                .forEach(e -> System.out.printf("  %7.1f B/key  %5.2f objects/key  %s%n", (double) e.getValue()[0] / keys,
                        (double) e.getValue()[1] / keys, e.getKey().getName()));
    }
}
