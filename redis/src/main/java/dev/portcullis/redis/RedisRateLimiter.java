package dev.portcullis.redis;

import dev.portcullis.Limit;
import dev.portcullis.spi.RateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link RateLimiter} whose buckets live on Redis, so that every node of a fleet counts against
 * the same limits. Plug it in with {@code Portcullis.builder().rateLimiter(limiter)}.
 *
 * <p><b>One round trip, all or nothing.</b> Every limit of a request (key and account, every
 * window) is taken by one Lua script in one call ({@link BucketScript}; EVALSHA, with EVAL when
 * Redis has lost the script): Redis runs it atomically, so the buckets give the request's cost each
 * or none does, concurrent nodes never race, and nothing is retried. {@link #giveBack} (a request
 * a later check denied) is one more call of the same script.
 *
 * <p><b>Each outcome decided once.</b> A call either has Redis's answer, or:
 * <ul>
 *   <li>was never sent (the connection was down) or was answered with an error: Redis took
 *       nothing, and the {@link Fallback} decides;
 *   <li>got no answer within {@link RedisRateLimiterOptions#requestTimeout() the timeout} (or lost
 *       its connection in flight): Redis may have taken the tokens, or refused, or may yet do
 *       either. The request is refused, with no bucket named; the fallback does not decide it too.
 * </ul>
 *
 * <p><b>Behind a circuit breaker.</b> It opens after {@link RedisRateLimiterOptions#failuresToOpen()
 * N} failed calls in a row: at once if the connection is down, else once they span at least one
 * request timeout, i.e. once Redis has been silent for about two timeouts. A single stall (a pause
 * of this JVM, of Redis, of the machine) fails only the calls in flight at that moment, and does
 * not open it. While it is open no request waits on
 * Redis and the fallback decides; a probe on the limiter's own thread tries Redis every
 * {@link RedisRateLimiterOptions#openDuration() open duration} and closes the breaker when Redis
 * answers. No exception reaches the caller.
 *
 * <p>Redis keys are the prefix, the quota's kind and a SHA-256 of the quota key: bounded in length,
 * and no login name or account name in clear on the Redis server. Each key expires by itself once its
 * bucket would be full again (plus {@link RedisRateLimiterOptions#keepAfterRefill()}).
 *
 * <p>Thread-safe. {@link #close()} closes its own connection and probe thread, not the client.
 */
public final class RedisRateLimiter implements RateLimiter, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisRateLimiter.class.getName());
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });
    private static final byte[] KEY_VERSION = (BucketScript.STATE_VERSION + "|").getBytes(StandardCharsets.UTF_8);

    private final RedisClient client;
    private final RedisRateLimiterOptions options;
    /** {@code null} for the system clock: the script reads Redis's own. */
    private final Clock clientClock;
    private final String keepMillis;
    private final long timeoutNanos;
    /** {@code null} for {@link Fallback#DENY}. */
    private final RateLimiter local;
    /** What each limit is divided by in {@link #local}: the node count for LOCAL_SHARE, else 1. */
    private final int share;
    /** Retry-After of a refusal that no bucket decided (DENY, or an unanswered call). */
    private final long denyNanos;
    private final ScheduledThreadPoolExecutor prober;
    /** Unanswered takes whose answer, and give-back if they were admitted, are still to come. */
    private final AtomicInteger unresolved = new AtomicInteger();
    /** Takes refused because Redis did not answer in time: for tests. */
    private final AtomicInteger unanswered = new AtomicInteger();

    /** Failed calls in a row, and when the first of them failed; guarded by {@code this}. */
    private int failures;
    private long firstFailureNanos;
    /** {@code failures != 0}, readable without the lock: a success takes no lock while all is well. */
    private volatile boolean failing;

    /** What requests use; {@code null} while the breaker is open. */
    private volatile Backend live;
    /** The last connection made, open or not; guarded by {@code this}. */
    private Backend connected;
    private boolean closed;

    private record Backend(StatefulRedisConnection<String, String> connection, RedisAsyncCommands<String, String> commands) {}

    /**
     * A call without Redis's answer; {@code maybeApplied} if Redis may have run it (or may still),
     * and then {@code pending} is the call, if its answer may yet come; {@code down} if it was not
     * sent because the connection is down.
     */
    private static final class Unanswered extends Exception {
        private static final long serialVersionUID = 1;
        final boolean maybeApplied;
        final boolean down;
        final transient RedisFuture<List<Object>> pending;

        Unanswered(boolean maybeApplied, Throwable cause) {
            this(maybeApplied, false, cause, null);
        }

        Unanswered(boolean maybeApplied, boolean down, Throwable cause, RedisFuture<List<Object>> pending) {
            super(cause.toString(), cause, false, false);
            this.maybeApplied = maybeApplied;
            this.down = down;
            this.pending = pending;
        }
    }

    private RedisRateLimiter(RedisClient client, RedisRateLimiterOptions options) {
        this.client = client;
        this.options = options;
        Clock clock = options.clock();
        this.clientClock = clock.equals(Clock.systemUTC()) || clock.equals(Clock.systemDefaultZone()) ? null : clock;
        this.keepMillis = Long.toString(options.keepAfterRefill().toMillis());
        this.timeoutNanos = options.requestTimeout().toNanos();
        this.local = options.fallback() == Fallback.DENY ? null : RateLimiter.local(clock);
        this.share = options.fallback() == Fallback.LOCAL_SHARE ? options.nodeCount() : 1;
        this.denyNanos = options.openDuration().toNanos();
        this.prober = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "portcullis-redis-probe");
            t.setDaemon(true);
            return t;
        });
        prober.setKeepAliveTime(1, TimeUnit.SECONDS);
        prober.allowCoreThreadTimeOut(true); // no thread while nothing is scheduled
    }

    /**
     * A limiter on {@code client}'s default Redis URI. If Redis cannot be reached now, the limiter
     * starts with its breaker open (reported to the listener) and probes until it can.
     *
     * @param client a Lettuce client with a default URI; it stays the caller's to shut down
     */
    public static RedisRateLimiter create(RedisClient client, RedisRateLimiterOptions options) {
        RedisRateLimiter l = new RedisRateLimiter(Objects.requireNonNull(client, "client"), Objects.requireNonNull(options, "options"));
        try {
            l.live = l.ready(); // no event: starting on Redis is no switch
        } catch (RuntimeException | Unanswered e) {
            synchronized (l) {
                l.scheduleProbe();
            }
            l.announceOpen(e instanceof Unanswered u ? u.getCause() : e);
        }
        return l;
    }

    /** Whether decisions come from Redis now. */
    public BreakerState state() {
        return live != null ? BreakerState.CLOSED : BreakerState.OPEN;
    }

    /** {@code REMOTE} while deciding on Redis, {@code FALLBACK} while the breaker is open: for health and metrics. */
    @Override
    public Mode mode() {
        return live != null ? Mode.REMOTE : Mode.FALLBACK;
    }

    @Override
    public Take tryTakeAll(List<Quota> quotas, long cost) {
        if (cost < 1) {
            throw new IllegalArgumentException("a take is of at least 1 token, got " + cost);
        }
        int n = quotas.size();
        if (n == 0) {
            return Take.admitted(null, 0);
        }
        Backend b = live;
        if (b != null) {
            String[] keys = new String[n];
            String[] args = arguments(BucketScript.TAKE, quotas, keys, cost);
            try {
                List<Object> reply = call(b, keys, args);
                succeeded();
                if (number(reply, 0) == 0) {
                    Quota refusing = quotas.get((int) number(reply, 1) - 1);
                    return Take.refused(refusing.limit(), nanos(number(reply, 2)));
                }
                Limit tightest = null;
                long tightestRemaining = 0;
                for (int i = 0; i < n; i++) {
                    Limit l = quotas.get(i).limit();
                    long remaining = number(reply, i + 1);
                    // The least room left, as a fraction of capacity (cross-multiplied: no division).
                    if (tightest == null || remaining * tightest.capacity() < tightestRemaining * l.capacity()) {
                        tightest = l;
                        tightestRemaining = remaining;
                    }
                }
                return Take.admitted(tightest, tightestRemaining);
            } catch (Unanswered e) {
                failed(e);
                if (e.maybeApplied) {
                    // Redis may have taken the tokens, or refused, or may yet do either. The request is
                    // refused here, not also decided by the fallback; if Redis's answer turns out to be
                    // an admission, its tokens go back.
                    unanswered.incrementAndGet();
                    if (e.pending != null) {
                        giveBackIfAdmitted(e.pending, keys, args);
                    }
                    return Take.refused(null, denyNanos);
                }
            }
        }
        if (local == null) {
            return Take.refused(null, denyNanos);
        }
        return local.tryTakeAll(shared(quotas), cost);
    }

    /**
     * Gives {@code cost} tokens back to every quota, up to its capacity, in one script call. While
     * Redis cannot answer, the fallback's buckets get them (nothing under {@link Fallback#DENY});
     * a call that may have reached Redis is not given to the fallback too. A cost below 1 gives
     * nothing back.
     */
    @Override
    public void giveBack(List<Quota> quotas, long cost) {
        int n = quotas.size();
        if (n == 0 || cost < 1) {
            return;
        }
        Backend b = live;
        if (b != null) {
            String[] keys = new String[n];
            String[] args = arguments(BucketScript.GIVE_BACK, quotas, keys, cost);
            try {
                call(b, keys, args);
                succeeded();
                return;
            } catch (Unanswered e) {
                failed(e);
                if (e.maybeApplied) {
                    return; // Redis may have given them back, or may yet: never twice
                }
            }
        }
        if (local != null) {
            local.giveBack(shared(quotas), cost);
        }
    }

    @Override
    public long nanosUntilAvailable(Quota quota) {
        Backend b = live;
        if (b != null) {
            String[] keys = new String[1];
            String[] args = arguments(BucketScript.PEEK, List.of(quota), keys, 1);
            try {
                List<Object> reply = call(b, keys, args);
                succeeded();
                return number(reply, 0) == 1 ? 0 : nanos(number(reply, 2));
            } catch (Unanswered e) {
                failed(e); // a read: the fallback's answer takes nothing from anyone
            }
        }
        return local == null ? denyNanos : local.nanosUntilAvailable(shared(quota));
    }

    @Override
    public void spend(Quota quota) {
        Backend b = live;
        if (b != null) {
            String[] keys = new String[1];
            String[] args = arguments(BucketScript.TAKE, List.of(quota), keys, 1);
            try {
                call(b, keys, args);
                succeeded();
                return;
            } catch (Unanswered e) {
                failed(e);
                if (e.maybeApplied) {
                    return; // Redis may have spent it
                }
            }
        }
        if (local != null) {
            local.spend(shared(quota));
        }
    }

    /**
     * When the answer of an unanswered take comes after all and says admitted, gives its tokens back
     * (one script call, on whatever connection is current): the request was refused, so the fleet
     * keeps its N. Runs on Lettuce's event loop and does not block. If the answer never comes (the
     * connection or Redis died with it), the tokens stay spent, on the strict side.
     */
    private void giveBackIfAdmitted(RedisFuture<List<Object>> pending, String[] keys, String[] takeArgs) {
        unresolved.incrementAndGet();
        pending.whenComplete((reply, error) -> {
            try {
                boolean admitted = error == null && valid(reply, keys.length, true) && number(reply, 0) == 1;
                Backend b;
                synchronized (this) {
                    b = closed ? null : connected;
                }
                if (!admitted || b == null || !b.connection().isOpen()) {
                    if (admitted) {
                        LOG.log(System.Logger.Level.DEBUG, "an unanswered take was admitted; no connection to give it back");
                    }
                    unresolved.decrementAndGet();
                    return;
                }
                String[] args = takeArgs.clone();
                args[0] = BucketScript.GIVE_BACK;
                args[1] = now();
                // EVAL, not EVALSHA: rare, and no NOSCRIPT to handle on the event loop.
                b.commands().<List<Object>>eval(BucketScript.SOURCE, ScriptOutputType.MULTI, keys, args).whenComplete((r, e) -> {
                    if (e != null) {
                        LOG.log(System.Logger.Level.DEBUG, "giving back an unanswered take's tokens failed", e);
                    }
                    unresolved.decrementAndGet();
                });
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "giving back an unanswered take's tokens failed", e);
                unresolved.decrementAndGet();
            }
        });
    }

    /** Unanswered takes not yet resolved (answered, and given back if admitted): for tests. */
    int unresolved() {
        return unresolved.get();
    }

    /** Takes refused so far because Redis did not answer them in time: for tests. */
    int unanswered() {
        return unanswered.get();
    }

    /** The script's ARGV for {@code quotas}, whose Redis keys it writes into {@code keys}. */
    private String[] arguments(String mode, List<Quota> quotas, String[] keys, long cost) {
        int n = quotas.size();
        String[] args = new String[BucketScript.HEADER + 3 * n];
        args[0] = mode;
        args[1] = now();
        args[2] = keepMillis;
        args[3] = Long.toString(cost);
        for (int i = 0; i < n; i++) {
            Quota q = quotas.get(i);
            keys[i] = redisKey(q);
            BucketScript.put(q.limit(), args, BucketScript.HEADER + 3 * i);
        }
        return args;
    }

    /** The script's {@code now}: {@code ""} for Redis's own clock, else the configured clock in µs. */
    private String now() {
        if (clientClock == null) {
            return "";
        }
        Instant i = clientClock.instant();
        return Long.toString(Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000));
    }

    private static long number(List<Object> reply, int i) {
        return (Long) reply.get(i);
    }

    /**
     * µs from the script in ns, saturated (a wait is at most a period, a year: never near it); the
     * script's {@code -1} (a cost above the bucket's capacity: never) is {@code Long.MAX_VALUE}, as
     * in the local limiter.
     */
    private static long nanos(long micros) {
        return micros < 0 || micros >= Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : micros * 1000;
    }

    /**
     * Whether {@code reply} has the script's shape for {@code buckets} keys: {@code [1, left…]} for a
     * take ({@code [1]} for a peek or a give-back), {@code [0, index, µs]}.
     */
    private static boolean valid(List<Object> reply, int buckets, boolean take) {
        if (reply == null || reply.isEmpty()) {
            return false;
        }
        for (Object o : reply) {
            if (!(o instanceof Long)) {
                return false;
            }
        }
        long first = (Long) reply.get(0);
        if (first == 1) {
            return reply.size() == (take ? buckets + 1 : 1);
        }
        return first == 0 && reply.size() == 3 && (Long) reply.get(1) >= 1 && (Long) reply.get(1) <= buckets;
    }

    /**
     * Runs the script: EVALSHA, and EVAL if Redis does not have it (a NOSCRIPT reply means nothing
     * ran, so running it again decides nothing twice). Both within one request timeout.
     */
    private List<Object> call(Backend b, String[] keys, String[] args) throws Unanswered {
        if (!b.connection().isOpen()) {
            // Lettuce would hold the command for a reconnect and send it after we have given up on it.
            throw new Unanswered(false, true, new RedisConnectionException("not connected to Redis"), null);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        List<Object> reply;
        try {
            reply = await(send(b, BucketScript.SHA1, keys, args), deadline);
        } catch (RedisNoScriptException e) {
            reply = await(send(b, null, keys, args), deadline);
        }
        if (!valid(reply, keys.length, args[0].equals(BucketScript.TAKE))) {
            // Redis ran something: as good as unanswered.
            throw new Unanswered(true, new RedisCommandExecutionException("unexpected reply from the script: " + reply));
        }
        return reply;
    }

    /** EVALSHA ({@code sha} given) or EVAL; a command Lettuce refuses to send (thrown, not failed) was not sent. */
    private static RedisFuture<List<Object>> send(Backend b, String sha, String[] keys, String[] args) throws Unanswered {
        try {
            return sha != null
                    ? b.commands().evalsha(sha, ScriptOutputType.MULTI, keys, args)
                    : b.commands().eval(BucketScript.SOURCE, ScriptOutputType.MULTI, keys, args);
        } catch (RuntimeException e) {
            throw new Unanswered(false, e);
        }
    }

    /**
     * The reply by {@code deadline}; a NOSCRIPT reply is thrown as is. A call without its reply is not
     * cancelled: its answer, when it comes, may have to be undone ({@link #giveBackIfAdmitted}).
     */
    @SuppressWarnings("unchecked")
    private static <T> T await(RedisFuture<T> f, long deadline) throws Unanswered {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new Unanswered(true, false, new RedisCommandTimeoutException("no reply from Redis within the request timeout"),
                    (RedisFuture<List<Object>>) f);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unanswered(true, false, e, (RedisFuture<List<Object>>) f);
        } catch (CancellationException e) {
            throw new Unanswered(true, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException noScript) {
                throw noScript;
            }
            // An error reply: the script read before it wrote, so it wrote nothing. Anything else
            // (the connection lost in flight) may have run.
            throw new Unanswered(!(cause instanceof RedisCommandExecutionException), cause);
        }
    }

    /** {@code prefix + kind + ":" + base64url(sha256(version + "|" + key))[0..22]}, e.g. {@code portcullis:rl:k:Xy…}. */
    String redisKey(Quota q) {
        String key = q.key();
        int colon = key.indexOf(':');
        String kind = colon > 0 && colon <= 4 ? key.substring(0, colon) : "q";
        MessageDigest sha = SHA256.get();
        sha.update(KEY_VERSION);
        byte[] hash = sha.digest(key.getBytes(StandardCharsets.UTF_8));
        return options.keyPrefix() + kind + ":" + BASE64URL.encodeToString(hash).substring(0, 22);
    }

    private List<Quota> shared(List<Quota> quotas) {
        return share == 1 ? quotas : quotas.stream().map(this::shared).toList();
    }

    /** The quota with this node's share of its limit, for LOCAL_SHARE. */
    private Quota shared(Quota q) {
        if (share == 1) {
            return q;
        }
        Limit l = q.limit();
        Limit s = Limit.per(Math.max(1, l.rate() / share), l.period()).burst(Math.max(1, l.capacity() / share));
        return new Quota(q.key(), l.scope() == Limit.Scope.ACCOUNT ? s.perAccount() : s);
    }

    private void succeeded() {
        if (failing) { // read first: no lock and no shared write per request while all is well
            synchronized (this) {
                failures = 0;
                failing = false;
            }
        }
    }

    /**
     * Counts a failed call. The breaker opens at the {@code failuresToOpen}-th failure in a row if
     * the connection is down, or if the first of them was at least a request timeout ago: the calls
     * that one stall times out all fail together and the calls after it succeed, where a Redis that
     * is hung times them out on and on. A down connection is no stall and needs no such wait. (An
     * error reply counts like a timeout: one bad key must not switch every request to the fallback.)
     */
    private void failed(Unanswered e) {
        LOG.log(System.Logger.Level.DEBUG, e.maybeApplied
                ? "a Redis rate-limit call got no answer; the request is refused"
                : "a Redis rate-limit call was not made; the fallback decides it", e.getCause());
        boolean open;
        synchronized (this) {
            long now = System.nanoTime();
            if (failures++ == 0) {
                firstFailureNanos = now;
            }
            failing = true;
            open = failures >= options.failuresToOpen() && (e.down || now - firstFailureNanos >= timeoutNanos);
        }
        if (open) {
            open(e.getCause());
        }
    }

    private void open(Throwable cause) {
        synchronized (this) {
            if (closed || live == null) {
                return; // already open, or shut down
            }
            live = null;
            scheduleProbe();
        }
        announceOpen(cause);
    }

    private void announceOpen(Throwable cause) {
        LOG.log(System.Logger.Level.WARNING, "Redis rate limits unavailable, deciding by " + options.fallback()
                + " until a probe succeeds (every " + options.openDuration() + "): " + cause);
        emit(new BreakerEvent(BreakerState.OPEN, options.clock().instant(), cause));
    }

    /** Caller holds {@code this}. */
    private void scheduleProbe() {
        if (!closed) {
            prober.schedule(this::probe, options.openDuration().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** On the probe thread: a connection (a fresh one if the last is down) that has the script. */
    private void probe() {
        Backend b;
        try {
            b = ready();
        } catch (RuntimeException | Unanswered e) {
            LOG.log(System.Logger.Level.DEBUG, "Redis probe failed", e);
            synchronized (this) {
                scheduleProbe();
            }
            return;
        }
        closeBreaker(b);
    }

    /** {@link #connect()}, then SCRIPT LOAD: a real round trip, and no NOSCRIPT for the requests after it. */
    private Backend ready() throws Unanswered {
        Backend b = connect();
        String sha = await(b.commands().scriptLoad(BucketScript.SOURCE), System.nanoTime() + timeoutNanos);
        if (!BucketScript.SHA1.equals(sha)) {
            throw new IllegalStateException("Redis named the script " + sha + ", expected " + BucketScript.SHA1);
        }
        return b;
    }

    private void closeBreaker(Backend b) {
        synchronized (this) {
            if (closed) {
                return;
            }
            failures = 0;
            failing = false;
            live = b;
        }
        LOG.log(System.Logger.Level.INFO, "Redis rate limits available");
        emit(new BreakerEvent(BreakerState.CLOSED, options.clock().instant(), null));
    }

    /**
     * The current connection if it is up, else a new one (the old one closed). A fresh connection
     * is up at once, where Lettuce's own reconnect may be backing off; closing the old one also
     * drops commands it still held for a reconnect. Called by {@link #create} and the probe only.
     */
    private Backend connect() {
        Backend old;
        synchronized (this) {
            old = connected;
        }
        if (old != null && old.connection().isOpen()) {
            return old;
        }
        // Outside the lock: this may take the client's connect timeout.
        StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8);
        Backend b = new Backend(c, c.async());
        synchronized (this) {
            if (closed) {
                c.closeAsync();
                throw new IllegalStateException("closed");
            }
            connected = b;
        }
        if (old != null) {
            old.connection().closeAsync();
        }
        return b;
    }

    private void emit(BreakerEvent e) {
        try {
            options.listener().accept(e);
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "a breaker listener threw; ignored", ex);
        }
    }

    /** Stops probing and closes this limiter's connection; later calls decide by the fallback. */
    @Override
    public void close() {
        Backend b;
        synchronized (this) {
            closed = true;
            live = null;
            b = connected;
            connected = null;
        }
        prober.shutdownNow();
        if (b != null) {
            b.connection().close();
        }
    }

    @Override
    public String toString() {
        return "RedisRateLimiter[" + state() + ", fallback " + options.fallback() + "]";
    }
}
