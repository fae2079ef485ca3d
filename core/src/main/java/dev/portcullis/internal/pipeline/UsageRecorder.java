package dev.portcullis.internal.pipeline;

import dev.portcullis.Authenticator;
import dev.portcullis.ClientAddress;
import dev.portcullis.DenyReason;
import dev.portcullis.internal.access.Api;
import dev.portcullis.internal.access.ApiAccess;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.spi.CredentialStore;
import dev.portcullis.spi.Usage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Usage per credential (DESIGN §3): counts per outcome, last use and client, networks seen
 * (IPv4 /24, IPv6 /48). Recording takes no lock that serialises requests: a count is one atomic
 * add, the last use a plain volatile write, both in the credential's tally, which the cache entry's
 * {@link Subject} keeps, so a request reaches it without a map lookup. {@link #flush} hands the store one
 * batch of deltas, which it adds to what it holds; a batch that fails is kept for the next flush.
 * A network a credential was never used from is announced once: it is written to the store at
 * once, and the known networks are read back from the store, so a restart does not announce it again.
 * {@link #close} writes everything still held, retrying a failed batch; after it nothing is counted.
 */
public final class UsageRecorder {
    private static final ApiAccess API = Api.get();
    private static final System.Logger LOG = System.getLogger(Authenticator.class.getName());
    private static final String ALLOWED = "ALLOWED";

    private final CredentialStore store;
    private final Clock clock;
    private final Executor executor;
    /**
     * A plain map, not a bounded cache: one lookup per request is all a tally may cost. It holds
     * the credentials used lately; {@link #flush} drops a tally after an hour with nothing to write.
     */
    private final ConcurrentHashMap<String, Tally> tallies = new ConcurrentHashMap<>();
    /**
     * Networks each credential is known to have been used from: as stored, plus what this process
     * saw. Immutable sets, replaced whole when one grows (rarely): most keys know one network, and a
     * one-element set is a tenth of a concurrent one.
     */
    private final Cache<String, Set<String>> known;
    /**
     * Built like {@link #tallies}, holding tallies that are never flushed, of attempts on nothing
     * real (see {@link #record}): at most about {@value #MAX_NOWHERE}, emptied by a flush once full.
     */
    private final ConcurrentHashMap<String, Tally> nowhere = new ConcurrentHashMap<>();
    static final int MAX_NOWHERE = 10_000;
    /** Where attempts on nothing real count while {@link #nowhere} is full. */
    private final Tally overflow = new Tally(NOWHERE, this);
    private static final long IDLE_MILLIS = Duration.ofHours(1).toMillis();
    private static final String NOWHERE = "";
    /** Deltas of evicted tallies and of failed flushes, for the next flush. */
    private final ConcurrentLinkedQueue<Usage> carried = new ConcurrentLinkedQueue<>();
    /** Set by {@link #close}: from then on {@link #record} counts nothing and announces nothing. */
    private volatile boolean closed;
    /**
     * New-network writes running now on the executor (queued ones, once closed, do not write: the
     * network is also in its tally, which {@link #close} writes). {@link #close} waits for these.
     */
    private final AtomicInteger announcing = new AtomicInteger();
    /** Write attempts {@link #close} makes before it gives up on what is left. */
    public static final int CLOSE_ATTEMPTS = 4;

    /** What one credential did since the last flush. */
    static final class Tally {
        /** Atomic adds: no striped counters, since every allowed use writes its last use here anyway. */
        private static final VarHandle DENIED = MethodHandles.arrayElementVarHandle(long[].class);
        private static final VarHandle ALLOWED_USES;
        private static final VarHandle DENIED_COUNTERS;
        private static final VarHandle NETWORKS;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                ALLOWED_USES = lookup.findVarHandle(Tally.class, "allowed", long.class);
                DENIED_COUNTERS = lookup.findVarHandle(Tally.class, "denied", long[].class);
                NETWORKS = lookup.findVarHandle(Tally.class, "networks", Set.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final String id;
        /** The recorder whose map holds it: a subject's remembered tally is used only by that recorder. */
        final UsageRecorder owner;
        /** Allowed uses since the last drain. */
        private volatile long allowed;
        /** Denials since the last drain, by reason ordinal; made on the first denial, which most keys never see. */
        private volatile long[] denied;
        volatile long lastUsedMillis = Long.MIN_VALUE;
        volatile ClientAddress lastClient;
        /**
         * {@link #lastClient} as 128 bits (an IPv4 address as its IPv4-mapped IPv6 form): a use from the
         * same address as the last one compares these and neither reads the old client nor keeps the new.
         */
        private volatile long lastHigh;
        private volatile long lastLow;
        /** Networks first seen since the last drain: immutable, {@code null} when none (nearly always). */
        private volatile Set<String> networks;
        /** Set once a flush removed it from the map: a request still holding it hands its count on. */
        volatile boolean retired;
        /** When a flush first found nothing to write since; only flushes touch it. */
        volatile long idleSince = Long.MIN_VALUE;

        Tally(String id, UsageRecorder owner) {
            this.id = id;
            this.owner = owner;
        }

        /** Counts an allowed use ({@code null}) or a denial. */
        void count(DenyReason reason) {
            if (reason == null) {
                ALLOWED_USES.getAndAdd(this, 1L);
            } else {
                long[] d = denied;
                if (d == null) {
                    long[] fresh = new long[DenyReason.values().length];
                    d = (long[]) DENIED_COUNTERS.compareAndExchange(this, null, fresh);
                    d = d == null ? fresh : d; // lost the race: count into the winner's
                }
                DENIED.getAndAdd(d, reason.ordinal(), 1L);
            }
        }

        /** Adds a network to the next drain. */
        void addNetwork(String net) {
            while (true) {
                Set<String> now = networks;
                if (now != null && now.contains(net)) {
                    return;
                }
                if (NETWORKS.compareAndSet(this, now, with(now, net))) {
                    return;
                }
            }
        }

        /** The networks added since the last drain, never {@code null}. */
        Set<String> networks() {
            Set<String> now = networks;
            return now == null ? Set.of() : now;
        }

        /** The counts by outcome name, reset to zero if {@code reset}: a count lands either in this read or the next. */
        Map<String, Long> counts(boolean reset) {
            Map<String, Long> c = new HashMap<>();
            long n = reset ? (long) ALLOWED_USES.getAndSet(this, 0L) : allowed;
            if (n != 0) {
                c.put(ALLOWED, n);
            }
            long[] d = denied; // once made, never replaced: a denial counts into this array
            if (d == null) {
                return c;
            }
            DenyReason[] reasons = DenyReason.values();
            for (int i = 0; i < d.length; i++) {
                n = reset ? (long) DENIED.getAndSet(d, i, 0L) : (long) DENIED.getVolatile(d, i);
                if (n != 0) {
                    c.put(reasons[i].name(), n);
                }
            }
            return c;
        }

        /**
         * Whether {@code client} is the last client, by address. Two racing uses may leave the two
         * halves from different clients: then a client equal to that mix is taken for the last one,
         * and its network is the one the mix's upper half was checked in.
         */
        boolean isLastClient(ClientAddress client) {
            return lastClient != null && high(client) == lastHigh && low(client) == lastLow;
        }

        void setLastClient(ClientAddress client) {
            lastClient = client;
            lastHigh = high(client);
            lastLow = low(client);
        }

        private static long high(ClientAddress c) {
            return c.isIPv4() ? 0 : API.v6High(c);
        }

        private static long low(ClientAddress c) {
            return c.isIPv4() ? 0xFFFF_0000_0000L | (API.v4(c) & 0xFFFF_FFFFL) : API.v6Low(c);
        }

        /** The delta so far, reset: an increment lands either in this one or in the next. */
        Usage drain() {
            Map<String, Long> c = counts(true);
            @SuppressWarnings("unchecked")
            Set<String> taken = (Set<String>) NETWORKS.getAndSet(this, (Set<String>) null);
            Set<String> nets = taken == null ? Set.of() : taken;
            long last = lastUsedMillis;
            ClientAddress client = lastClient;
            if (c.isEmpty() && nets.isEmpty()) {
                return null;
            }
            return new Usage(id, last == Long.MIN_VALUE ? null : Instant.ofEpochMilli(last),
                    client == null ? null : client.toString(), c, nets);
        }
    }

    UsageRecorder(CredentialStore store, Clock clock, Executor executor) {
        this.store = store;
        this.clock = clock;
        this.executor = executor;
        this.known = Caffeine.newBuilder().expireAfterAccess(Duration.ofHours(1)).maximumSize(100_000).build();
    }

    /**
     * Counts one attempt under {@code key}: a credential id when {@code counted}, else whatever the
     * attempt named (an unknown id or login, or nothing); {@code nowMillis} is when, for an allowed one.
     *
     * @return whether this allowed use came from a network the credential was never used from
     */
    boolean record(String key, boolean counted, DenyReason reason, ClientAddress client, long nowMillis) {
        if (closed) {
            return false; // after close(): a no-op (see close)
        }
        return count(tally(key, counted), counted, reason, client, nowMillis);
    }

    /**
     * {@link #record(String, boolean, DenyReason, ClientAddress, long)} for what {@code who} names,
     * into the tally it remembers: a real credential's, or a sink's for a subject that is not counted,
     * remembered alike, so a known and an unknown credential take the same path here.
     */
    boolean record(Subject who, DenyReason reason, ClientAddress client, long nowMillis) {
        if (closed) {
            return false; // after close(): a no-op (see close)
        }
        boolean counted = who.counted();
        Tally t = who.tally;
        if (t == null || t.owner != this || t.retired) {
            // First count, another recorder's (a shared subject), or dropped by a flush: look it up again.
            t = tally(who.usageKey(), counted);
            who.tally = t;
        }
        return count(t, counted, reason, client, nowMillis);
    }

    /**
     * The tally {@code key} is counted in. An attempt that names no credential (an unknown id or
     * username, a malformed request) is counted into a tally of its own in a map no flush ever
     * writes, through the same lookup, so that it costs what a failure on a real credential does,
     * in as much memory (the timing invariant of the package note).
     */
    private Tally tally(String key, boolean counted) {
        ConcurrentHashMap<String, Tally> into = counted ? tallies : nowhere;
        String id = key == null ? NOWHERE : key;
        Tally t = into.get(id);
        if (t == null) {
            // The sink is bounded where it grows: once full, new names share one tally until a flush empties it.
            t = counted || nowhere.size() < MAX_NOWHERE ? into.computeIfAbsent(id, k -> new Tally(k, this)) : overflow;
        }
        return t;
    }

    private boolean count(Tally t, boolean counted, DenyReason reason, ClientAddress client, long nowMillis) {
        String id = t.id;
        boolean use = reason == null & counted;
        ClientAddress previous = null;
        boolean sameClient = false;
        if (use) {
            t.lastUsedMillis = nowMillis;
            if (client != null) {
                // The same address as last time (the common case) writes no reference into the tally.
                sameClient = t.isLastClient(client);
                if (!sameClient) {
                    previous = t.lastClient;
                    t.setLastClient(client);
                }
            }
        }
        t.count(reason);
        if (t.retired) {
            handOn(t);
        }
        if (!use) {
            return false;
        }
        if (client == null || sameClient || previous != null && API.sameNetwork(client, previous, 24, 48)) {
            return false; // the common case, a client in the network of the last one: nothing to allocate
        }
        String net = networkOf(client);
        while (true) {
            Set<String> nets = known.get(id, this::storedNetworks);
            if (nets.contains(net) || nets.size() >= Usage.MAX_NETWORKS) {
                return false;
            }
            if (known.asMap().replace(id, nets, with(nets, net))) {
                break; // this request saw the network first (a racing one or an eviction: look again)
            }
        }
        t.addNetwork(net);
        if (t.retired) {
            handOn(t); // retired while the known networks were read: the network goes with the carry list
        }
        // Persist the new network now, not at the next flush, so a restart does not announce it twice.
        Usage first = new Usage(id, null, null, Map.of(), Set.of(net));
        try {
            executor.execute(() -> announce(first));
        } catch (RejectedExecutionException e) {
            // Saturated or shut down: the network is in the tally too, so the next flush (or close) writes it.
        }
        return true;
    }

    /** Writes a new network at once, unless closed: then close() writes it, from the tally. */
    private void announce(Usage first) {
        announcing.incrementAndGet(); // before reading closed: either close() sees this write running, or it sees closed
        try {
            if (!closed) {
                write(List.of(first));
            }
        } finally {
            announcing.decrementAndGet();
        }
    }

    /** Carries what landed in a retired tally to the next flush. */
    private void handOn(Tally t) {
        Usage u = t.drain();
        if (u != null) {
            carried.add(u);
        }
    }

    private Set<String> storedNetworks(String id) {
        try {
            return store.usage(id).map(Usage::networks).orElse(Set.of()); // immutable already
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "usage of " + id + " unreadable; networks start empty");
            return Set.of();
        }
    }

    /** {@code nets} and {@code net}, as a new immutable set. */
    private static Set<String> with(Set<String> nets, String net) {
        if (nets == null || nets.isEmpty()) {
            return Set.of(net);
        }
        String[] all = nets.toArray(new String[nets.size() + 1]);
        all[nets.size()] = net;
        return Set.of(all);
    }

    /**
     * IPv4 /24 or IPv6 /48, in CIDR text. Allocates; called only for allowed uses. An IPv4 network
     * is spelled from the address's bits: the client, kept as the tally's last one, then holds no
     * IPAddress object.
     */
    static String networkOf(ClientAddress client) {
        if (client.isIPv4()) {
            int v4 = API.v4(client);
            return (v4 >>> 24) + "." + (v4 >>> 16 & 0xFF) + "." + (v4 >>> 8 & 0xFF) + ".0/24";
        }
        return API.ip(client).toPrefixBlock(48).toCanonicalString();
    }

    /** Hands the store everything recorded since the last flush, in one batch. */
    void flush() {
        if (nowhere.size() >= MAX_NOWHERE) {
            nowhere.clear(); // a sink: what it counted is nobody's
        }
        List<Usage> batch = new ArrayList<>();
        for (Usage u; (u = carried.poll()) != null; ) {
            batch.add(u);
        }
        long now = clock.millis();
        for (Tally t : tallies.values()) {
            Usage u = t.drain();
            if (u != null) {
                batch.add(u);
                t.idleSince = Long.MIN_VALUE;
            } else if (t.idleSince == Long.MIN_VALUE) {
                t.idleSince = now;
            } else if (now - t.idleSince >= IDLE_MILLIS && tallies.remove(t.id, t)) {
                // A request that fetched this tally just before the removal counts into it: what it
                // counted before the flag is drained here, what it counts after, by the request itself.
                t.retired = true;
                Usage late = t.drain();
                if (late != null) {
                    batch.add(late);
                }
            }
        }
        if (!batch.isEmpty()) {
            write(batch);
        }
    }

    private void write(List<Usage> batch) {
        try {
            store.addUsage(batch);
        } catch (RuntimeException e) {
            carried.addAll(batch); // added to the store's values, so retrying later loses and doubles nothing
            LOG.log(System.Logger.Level.WARNING, "usage flush failed; " + batch.size() + " deltas kept for the next one: " + e);
        }
    }

    /**
     * Writes everything still held, for good, on the calling thread: from the moment it starts,
     * {@link #record} is a no-op. It waits (until {@code deadlineNanos}, a {@link System#nanoTime}
     * value) for new-network writes running on the executor, then writes every tally and the carry
     * list, retrying a failed batch up to {@value #CLOSE_ATTEMPTS} times, then once more for counts
     * that a request racing close landed after the first write. What it could not write it logs, as
     * counts (never a secret), and keeps in memory only.
     *
     * <p>A request whose {@code record} call started before {@code close} counts into a tally that
     * is marked retired here: what it counts before the drain is in the drain, what it counts after
     * is handed on to the carry list by the request itself, which the later passes write. Only a
     * request stalled between its check of {@link #closed} and its count for longer than all passes
     * take is not written.
     *
     * @return whether everything was written
     */
    boolean close(long deadlineNanos) {
        closed = true;
        for (Tally t : tallies.values()) {
            t.retired = true; // a count landing after the drain below goes to the carry list (see record)
        }
        while (announcing.get() > 0 && deadlineNanos - System.nanoTime() > 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        RuntimeException last = null;
        int failures = 0;
        for (int pass = 0; pass < CLOSE_ATTEMPTS + 2; pass++) {
            List<Usage> batch = new ArrayList<>();
            for (Usage u; (u = carried.poll()) != null; ) {
                batch.add(u);
            }
            for (Tally t : tallies.values()) {
                Usage u = t.drain();
                if (u != null) {
                    batch.add(u);
                }
            }
            if (batch.isEmpty()) {
                return true;
            }
            try {
                store.addUsage(batch);
                last = null;
            } catch (RuntimeException e) {
                carried.addAll(batch); // added whole or not at all (CredentialStore#addUsage): retrying doubles nothing
                last = e;
                if (++failures >= CLOSE_ATTEMPTS || deadlineNanos - System.nanoTime() <= 0) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50L << failures)); // 100, 200, 400 ms
            }
        }
        Map<String, Long> counts = new HashMap<>();
        int deltas = 0;
        int networks = 0;
        Set<String> ids = new HashSet<>();
        for (Usage u : carried) {
            u.counts().forEach((k, v) -> counts.merge(k, v, Long::sum));
            networks += u.networks().size();
            deltas++;
            ids.add(u.keyId());
        }
        if (deltas == 0) {
            return true;
        }
        LOG.log(System.Logger.Level.WARNING, "usage not written at close after " + failures + " failed attempts: "
                + deltas + " deltas of " + ids.size() + " credentials, counts " + counts + ", "
                + networks + " networks; last error: " + last);
        return false;
    }

    /** Credentials with a tally in memory now. */
    int tallied() {
        return tallies.size();
    }

    /** Tallies of attempts on nothing real held now. */
    int sunk() {
        return nowhere.size();
    }

    /** What the store holds plus what this process has not flushed yet. */
    Optional<Usage> snapshot(String id) {
        Optional<Usage> stored = store.usage(id);
        Tally t = tallies.get(id);
        List<Usage> parts = new ArrayList<>();
        stored.ifPresent(parts::add);
        for (Usage u : carried) {
            if (u.keyId().equals(id)) {
                parts.add(u);
            }
        }
        if (t != null) {
            Map<String, Long> c = t.counts(false);
            long last = t.lastUsedMillis;
            parts.add(new Usage(id, last == Long.MIN_VALUE ? null : Instant.ofEpochMilli(last),
                    t.lastClient == null ? null : t.lastClient.toString(), c, t.networks()));
        }
        if (parts.isEmpty()) {
            return store.findById(id).map(r -> new Usage(id, null, null, Map.of(), Set.of()));
        }
        Usage sum = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            sum = sum.plus(parts.get(i));
        }
        return Optional.of(sum);
    }

}
