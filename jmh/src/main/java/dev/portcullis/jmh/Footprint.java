package dev.portcullis.jmh;

import com.github.benmanes.caffeine.cache.Cache;
import dev.portcullis.AuthRequest;
import dev.portcullis.Channel;
import dev.portcullis.Check;
import dev.portcullis.DenyReason;
import dev.portcullis.KeyInfo;
import dev.portcullis.Authenticator;
import dev.portcullis.IssuedKey;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;
import dev.portcullis.internal.net.Allowlist;
import dev.portcullis.spi.CredentialStore;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

/**
 * The memory of a cached credential, measured with JOL: not a benchmark, a {@code main}.
 *
 * <p>It makes {@code keys} API keys as {@link ScaleBenchmark} does (the public API, the in-memory
 * store, ten keys per account), sends one request with each (every one is allowed, so every key
 * and account is cached and has a usage tally), then walks the object graphs:
 * <ul>
 *   <li><b>one entry</b>: {@code GraphLayout.parseInstance(entry).totalSize()} of one cached
 *       credential, less what every entry shares (the compiler's objects, reachable from each entry
 *       but allocated once); printed with its objects by class;
 *   <li><b>per key, marginal</b>: the whole record cache (by id, by username, accounts, with
 *       Caffeine's nodes and tables) and the usage recorder, divided by the key count: what each
 *       more key costs the heap, accounts and cache structure included.
 * </ul>
 * The caches are internal, so they are reached by reflection (the jar runs on the class path).
 *
 * <pre>java -cp jmh/target/benchmarks.jar dev.portcullis.jmh.Footprint [keys]</pre>
 */
public final class Footprint {
    private Footprint() {
    }

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        System.out.println(VM.current().details());
        try (Portcullis p = Portcullis.builder()
                .store(CredentialStore.inMemory())
                .keyFormat(KeyFormat.withPrefix("bench"))
                .cacheMaximumSize(keys)
                .build()) {
            Authenticator authenticator = p.authenticator();
            Object wiring = field(p, "wiring");
            Object cache = field(wiring, "cache");
            Object usage = field(wiring, "usage");

            List<String> headers = new ArrayList<>(keys);
            int accounts = Math.max(1, keys / ScaleBenchmark.KEYS_PER_ACCOUNT);
            for (int i = 0; i < keys; i++) {
                IssuedKey k = p.keys().create(KeySpec.builder().account("acct" + (i % accounts)).name("k" + i).build());
                headers.add(HotPathBenchmark.basic("api", k.token()));
            }
            for (String h : headers) {
                HotPathBenchmark.requireAllowed(authenticator.authenticate(AuthRequest.http(h, "203.0.113.7")), "request");
            }
            cleanUp(cache);

            Map<?, ?> byId = asMap(field(field(cache, "byId"), "cache"));
            Map<?, ?> byAccount = asMap(field(field(cache, "byAccount"), "cache"));
            if (byId.size() != keys) {
                throw new IllegalStateException("expected " + keys + " cached credentials, found " + byId.size());
            }
            Object entry = byId.values().iterator().next();
            Object account = byAccount.values().iterator().next();
            // What entries reach but was allocated once for all: the compiler's stand-in login, the
            // allowlist that allows any client, enum constants, empty collections, IPAddress's network.
            GraphLayout shared = GraphLayout.parseInstance(field(entry, "login"), Allowlist.ANY, List.of(), Set.of(),
                    Channel.values(), DenyReason.values(), KeyInfo.CredentialKind.values(), Check.values(),
                    IPv4Address.defaultIpv4Network(), IPv6Address.defaultIpv6Network());
            GraphLayout one = GraphLayout.parseInstance(entry).subtract(shared);
            System.out.println("== one cached credential (" + entry.getClass().getSimpleName() + "), without what all entries share");
            System.out.println(one.toFootprint());
            if (Boolean.getBoolean("footprint.objects")) {
                System.out.println(one.toPrintable());
            }
            System.out.printf("one cached credential: %,d B in %,d objects, its KeyRecord included"
                    + " (GraphLayout.parseInstance(entry).totalSize() with the shared objects: %,d B)%n",
                    one.totalSize(), one.totalCount(), GraphLayout.parseInstance(entry).totalSize());
            GraphLayout acct = GraphLayout.parseInstance(account).subtract(shared);
            System.out.printf("one cached account (%s): %,d B in %,d objects%n", account.getClass().getSimpleName(),
                    acct.totalSize(), acct.totalCount());

            // Per key: every cache's table, nodes, keys, entries and frequency sketch, over the key count.
            GraphLayout tiers = GraphLayout.parseInstance(
                    caffeineParts(field(field(cache, "byId"), "cache")),
                    caffeineParts(field(field(cache, "byUsername"), "cache")),
                    caffeineParts(field(field(cache, "byAccount"), "cache"))).subtract(shared);
            System.out.printf("record cache, %,d keys of %,d accounts: %,d B in %,d objects -> %,d B per key%n",
                    keys, accounts, tiers.totalSize(), tiers.totalCount(), tiers.totalSize() / keys);
            Object tallies = field(usage, "tallies");
            GraphLayout usageParts = GraphLayout.parseInstance(tallies, caffeineParts(field(usage, "known"))).subtract(shared);
            System.out.printf("usage tallies and known networks, %,d keys used once: %,d B in %,d objects -> %,d B per key%n",
                    keys, usageParts.totalSize(), usageParts.totalCount(), usageParts.totalSize() / keys);
            Object tally = ((Map<?, ?>) tallies).values().iterator().next();
            GraphLayout oneTally = GraphLayout.parseInstance(tally).subtract(shared);
            System.out.printf("one usage tally: %,d B in %,d objects%n", oneTally.totalSize(), oneTally.totalCount());
            System.out.println(oneTally.toFootprint());
        }
    }

    /** A Caffeine cache's map (table, nodes, keys, values) and frequency sketch: what grows with its entries. */
    private static Object[] caffeineParts(Object caffeineCache) throws ReflectiveOperationException {
        Object bounded = field(caffeineCache, "cache");
        List<Object> parts = new ArrayList<>(List.of(field(bounded, "data")));
        for (Class<?> c = bounded.getClass(); c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getType().getSimpleName().equals("FrequencySketch")) {
                    f.setAccessible(true);
                    parts.add(f.get(bounded));
                }
            }
        }
        return parts.toArray();
    }

    private static Map<?, ?> asMap(Object caffeineCache) throws ReflectiveOperationException {
        return ((Cache<?, ?>) caffeineCache).asMap();
    }

    /** Runs Caffeine's pending maintenance, so its buffers hold nothing the count would include. */
    private static void cleanUp(Object recordCache) throws ReflectiveOperationException {
        for (String tier : new String[] {"byId", "byUsername", "byAccount"}) {
            ((Cache<?, ?>) field(field(recordCache, tier), "cache")).cleanUp();
        }
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(o.getClass().getName() + "." + name);
    }
}
