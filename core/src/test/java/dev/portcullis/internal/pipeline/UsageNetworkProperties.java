package dev.portcullis.internal.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.ClientAddress;
import dev.portcullis.DenyReason;
import dev.portcullis.KeyFormat;
import dev.portcullis.KeySpec;
import dev.portcullis.MutableClock;
import dev.portcullis.Portcullis;
import dev.portcullis.spi.CredentialStore;

import dev.portcullis.spi.Usage;
import inet.ipaddr.ipv4.IPv4Address;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The networks usage keeps per credential (DESIGN §3), against a model: a set of networks, and
 * counts per outcome.
 */
class UsageNetworkProperties {
    @Property
    void anIPv4NetworkIsSpelledAsIPAddressSpellsItsSlash24(@ForAll int bits) {
        ClientAddress client = ClientAddress.parse(new IPv4Address(bits).toCanonicalString());
        assertEquals(new IPv4Address(bits).toPrefixBlock(24).toCanonicalString(), UsageRecorder.networkOf(client));
    }

    /** One step: an allowed use or a denial from a client, a flush, or an idle hour (its tally is dropped). */
    record Step(ClientAddress client, DenyReason denial, boolean flush, boolean idleHour) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        // Few networks, so that uses repeat them; IPv4 and IPv6 alike.
        Arbitrary<ClientAddress> v4 = Arbitraries.integers().between(0, 5).flatMap(net -> Arbitraries.integers().between(1, 254)
                .map(host -> ClientAddress.parse("198.51." + (100 + net) + "." + host)));
        Arbitrary<ClientAddress> v6 = Arbitraries.integers().between(0, 3).flatMap(net -> Arbitraries.integers().between(1, 0xffff)
                .map(host -> ClientAddress.parse("2001:db8:" + net + ":" + Integer.toHexString(host) + "::1")));
        Arbitrary<ClientAddress> client = Arbitraries.oneOf(v4, v6);
        Arbitrary<DenyReason> denial = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just((DenyReason) null)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(DenyReason.class)));
        Arbitrary<Step> use = net.jqwik.api.Combinators.combine(client, denial).as((c, d) -> new Step(c, d, false, false));
        Arbitrary<Step> flush = Arbitraries.just(new Step(null, null, true, false));
        Arbitrary<Step> idleHour = Arbitraries.just(new Step(null, null, false, true));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(16, use), net.jqwik.api.Tuple.of(2, flush), net.jqwik.api.Tuple.of(1, idleHour))
                .list().ofMaxSize(60);
    }

    /**
     * With {@code announceAtOnce} a new network is written at once, as the recorder's executor
     * does; without, the executor refuses (saturated): the network reaches the store only through
     * its tally, at the next flush.
     */
    @Property(tries = 300)
    void aNetworkIsAnnouncedOnceAndEveryCountAndNetworkIsWritten(@ForAll("steps") List<Step> steps, @ForAll boolean announceAtOnce) {
        CredentialStore store = CredentialStore.inMemory();
        String id = existingKey(store);
        MutableClock clock = new MutableClock();
        UsageRecorder usage = new UsageRecorder(store, clock, announceAtOnce ? Runnable::run : refusing());
        Set<String> networks = new HashSet<>();
        Map<String, Long> counts = new HashMap<>();
        for (Step s : steps) {
            if (s.flush()) {
                usage.flush();
                continue;
            }
            if (s.idleHour()) {
                usage.flush(); // written, and idle from now
                clock.advance(Duration.ofMinutes(61));
                usage.flush(); // idle an hour: the tally is dropped; the next use starts a new one
                continue;
            }
            boolean allowed = s.denial() == null;
            boolean announced = usage.record(id, true, s.denial(), s.client(), clock.millis());
            boolean isNew = allowed && networks.add(UsageRecorder.networkOf(s.client()));
            assertEquals(isNew, announced, "announced exactly when an allowed use comes from a network not seen before");
            counts.merge(allowed ? "ALLOWED" : s.denial().name(), 1L, Long::sum);
        }
        assertEquals(networks, usage.snapshot(id).map(u -> u.networks()).orElse(Set.of()), "before the flush, as the snapshot shows");
        usage.flush();
        assertEquals(networks, store.usage(id).map(u -> u.networks()).orElse(Set.of()));
        assertEquals(counts, store.usage(id).map(u -> u.counts()).orElse(Map.of()));
    }

    @Example
    void networksPastTheBoundAreNeitherAnnouncedNorWritten() {
        CredentialStore store = CredentialStore.inMemory();
        String id = existingKey(store);
        MutableClock clock = new MutableClock();
        UsageRecorder usage = new UsageRecorder(store, clock, refusing());
        int announced = 0;
        for (int net = 0; net < Usage.MAX_NETWORKS + 44; net++) {
            announced += usage.record(id, true, null, ClientAddress.parse("10." + net / 256 + "." + net % 256 + ".1"), clock.millis()) ? 1 : 0;
        }
        usage.flush();
        assertEquals(Usage.MAX_NETWORKS, announced);
        assertEquals(Usage.MAX_NETWORKS, store.usage(id).orElseThrow().networks().size());
        assertEquals(Usage.MAX_NETWORKS + 44L, store.usage(id).orElseThrow().counts().get("ALLOWED"));
    }

    private static String existingKey(CredentialStore store) {
        try (Portcullis p = Portcullis.builder().store(store).keyFormat(KeyFormat.withPrefix("kat")).build()) {
            return p.keys().create(KeySpec.builder().account("acme").grant("messages:send", "example.com").build()).id();
        }
    }

    /** An executor that is always saturated. */
    private static Executor refusing() {
        return task -> {
            throw new RejectedExecutionException("saturated");
        };
    }
}
