package dev.portcullis.redis;

import dev.portcullis.Limit;
import dev.portcullis.AuthResult.RateLimitStatus;
import dev.portcullis.spi.RateLimiter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.RemoteBucketBuilder;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link RateLimiter} whose buckets live on Redis, so that every node of a fleet counts against
 * the same limits: Bucket4j's compare-and-swap proxy manager on Lettuce does the distributed part.
 * Plug it in with {@code Portcullis.builder().rateLimiter(limiter)}.
 *
 * <p>Behind a circuit breaker: after {@link RedisRateLimiterOptions#failuresToOpen() N} failed
 * calls in a row it stops asking Redis and decides by its {@link Fallback}, so an outage costs at
 * most N request timeouts, not one per request. A probe on the limiter's own thread tries Redis
 * every {@link RedisRateLimiterOptions#openDuration() open duration} and closes the breaker when
 * Redis answers. No exception reaches the caller.
 *
 * <p>Redis keys are the prefix, the quota's kind and a SHA-256 of the quota key: bounded in length,
 * and no login name or account name in clear on the Redis server. Each key expires by itself once its
 * bucket would be full again (plus {@link RedisRateLimiterOptions#keepAfterRefill()}).
 *
 * <p>Thread-safe. {@link #close()} closes its own connection and probe thread, not the client.
 */
public final class RedisRateLimiter implements RateLimiter, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisRateLimiter.class.getName());
    /**
     * Version of {@link #configuration}'s mapping from a {@link Limit} to a bucket. A quota key names its
     * limit, so a changed policy is a new key and never needs replacing; this number is for a change of
     * the mapping itself: raise it and stored buckets are reconfigured in place, their tokens kept.
     */
    static final long CONFIG_VERSION = 1;
    private static final BucketConfiguration PROBE = BucketConfiguration.builder()
            .addLimit(Bandwidth.builder().capacity(1).refillGreedy(1, java.time.Duration.ofSeconds(1)).build())
            .build();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private final RedisClient client;
    private final RedisRateLimiterOptions options;
    private final TimeMeter meter;
    /** {@code null} for {@link Fallback#DENY}. */
    private final RateLimiter local;
    /** What each limit is divided by in {@link #local}: the node count for LOCAL_SHARE, else 1. */
    private final int share;
    private final long denyNanos;
    private final ScheduledThreadPoolExecutor prober;
    private final AtomicInteger failures = new AtomicInteger();

    /** What requests use; {@code null} while the breaker is open. */
    private volatile Backend live;
    /** The last connection made, open or not; guarded by {@code this}. */
    private Backend connected;
    private boolean closed;

    private record Backend(StatefulRedisConnection<String, byte[]> connection, RemoteBucketBuilder<String> buckets) {}

    private RedisRateLimiter(RedisClient client, RedisRateLimiterOptions options) {
        this.client = client;
        this.options = options;
        Clock clock = options.clock();
        this.meter = clock.equals(Clock.systemUTC()) ? TimeMeter.SYSTEM_MILLISECONDS : new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                Instant i = clock.instant();
                return i.getEpochSecond() * 1_000_000_000L + i.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
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
            l.live = l.connect(); // no event: starting on Redis is no switch
        } catch (RuntimeException e) {
            synchronized (l) {
                l.scheduleProbe();
            }
            l.announceOpen(e);
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
    public Take tryTakeAll(List<Quota> quotas) {
        Backend b = live;
        if (b != null) {
            int taken = 0;
            try {
                Quota tightest = null;
                long tightestRemaining = 0;
                for (Quota q : quotas) {
                    ConsumptionProbe p = bucket(b, q).tryConsumeAndReturnRemaining(1);
                    if (!p.isConsumed()) {
                        succeeded();
                        refund(b, quotas, taken);
                        return Take.refused(q.limit(), p.getNanosToWaitForRefill());
                    }
                    taken++;
                    long remaining = p.getRemainingTokens();
                    // The least room left, as a fraction of capacity (cross-multiplied: no division).
                    if (tightest == null || remaining * tightest.limit().capacity() < tightestRemaining * q.limit().capacity()) {
                        tightest = q;
                        tightestRemaining = remaining;
                    }
                }
                succeeded();
                return Take.admitted(tightest == null ? null : tightest.limit(), tightestRemaining);
            } catch (RuntimeException e) {
                // No refund of the tokens taken so far: Redis is failing, and each refund could wait out
                // another timeout. They stay spent, which errs on the strict side.
                failed(e);
            }
        }
        if (local == null) {
            return Take.refused(null, denyNanos);
        }
        return local.tryTakeAll(share == 1 ? quotas : quotas.stream().map(this::shared).toList());
    }

    /** Gives back the tokens of the first {@code taken} quotas: all or nothing, across Redis too. */
    private void refund(Backend b, List<Quota> quotas, int taken) {
        for (int j = 0; j < taken; j++) {
            try {
                bucket(b, quotas.get(j)).addTokens(1);
            } catch (RuntimeException e) {
                failed(e); // the refusal stands; only the refunds from here on are lost
                return;
            }
        }
    }

    @Override
    public long nanosUntilAvailable(Quota quota) {
        Backend b = live;
        if (b != null) {
            try {
                EstimationProbe p = bucket(b, quota).estimateAbilityToConsume(1);
                succeeded();
                return p.canBeConsumed() ? 0 : p.getNanosToWaitForRefill();
            } catch (RuntimeException e) {
                failed(e);
            }
        }
        return local == null ? denyNanos : local.nanosUntilAvailable(shared(quota));
    }

    @Override
    public void spend(Quota quota) {
        Backend b = live;
        if (b != null) {
            try {
                bucket(b, quota).tryConsume(1);
                succeeded();
                return;
            } catch (RuntimeException e) {
                failed(e);
            }
        }
        if (local != null) {
            local.spend(shared(quota));
        }
    }

    private BucketProxy bucket(Backend b, Quota q) {
        return b.buckets().build(redisKey(q), () -> configuration(q.limit()));
    }

    /** The same bucket as {@code LocalRateLimiter}'s: greedy refill, capacity = the burst. */
    static BucketConfiguration configuration(Limit l) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(l.capacity()).refillGreedy(l.rate(), l.period()).build())
                .build();
    }

    /** {@code prefix + kind + ":" + base64url(sha256(key))[0..22]}, e.g. {@code portcullis:rl:k:Xy…}. */
    String redisKey(Quota q) {
        String key = q.key();
        int colon = key.indexOf(':');
        String kind = colon > 0 && colon <= 4 ? key.substring(0, colon) : "q";
        byte[] hash = SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8));
        return options.keyPrefix() + kind + ":" + BASE64URL.encodeToString(hash).substring(0, 22);
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
        if (failures.get() != 0) { // read first: no shared write per request while all is well
            failures.set(0);
        }
    }

    private void failed(RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "a Redis rate-limit call failed; this one is decided by the fallback", e);
        if (failures.incrementAndGet() >= options.failuresToOpen()) {
            open(e);
        }
    }

    private void open(RuntimeException cause) {
        synchronized (this) {
            if (closed || live == null) {
                return; // already open, or shut down
            }
            live = null;
            scheduleProbe();
        }
        announceOpen(cause);
    }

    private void announceOpen(RuntimeException cause) {
        LOG.log(System.Logger.Level.WARNING, "Redis rate limits unavailable, deciding by " + options.fallback()
                + " until a probe succeeds (every " + options.openDuration() + "): " + cause);
        emit(new BreakerEvent(BreakerState.OPEN, options.clock().instant(), cause));
    }

    /** Caller holds {@code this}. */
    private void scheduleProbe() {
        if (!closed) {
            prober.schedule(this::probe, options.openDuration().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** On the probe thread: a real bucket call on a fresh connection if the last one is down. */
    private void probe() {
        Backend b;
        try {
            b = connect();
            b.buckets().build(options.keyPrefix() + "probe", () -> PROBE).getAvailableTokens();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Redis probe failed", e);
            synchronized (this) {
                scheduleProbe();
            }
            return;
        }
        closeBreaker(b);
    }

    private void closeBreaker(Backend b) {
        synchronized (this) {
            if (closed) {
                return;
            }
            failures.set(0);
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
        StatefulRedisConnection<String, byte[]> c = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        RemoteBucketBuilder<String> buckets = Bucket4jLettuce.casBasedBuilder(c)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(options.keepAfterRefill()))
                .requestTimeout(options.requestTimeout())
                .clientClock(meter)
                .build()
                .builder()
                .withImplicitConfigurationReplacement(CONFIG_VERSION, TokensInheritanceStrategy.AS_IS);
        Backend b = new Backend(c, buckets);
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
