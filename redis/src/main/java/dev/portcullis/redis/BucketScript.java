package dev.portcullis.redis;

import dev.portcullis.Limit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua script that decides every bucket of a request in one Redis call, and the arguments it
 * takes. Redis runs a script to its end before any other command, so what the script reads and
 * writes is one atomic step: nothing to compare and swap, nothing to retry, and no refund to make
 * when one of several buckets refuses, because then nothing is written at all.
 *
 * <p><b>The bucket</b> is the same as {@code RateLimiter.local}'s (Bucket4j, greedy refill):
 * {@code capacity} tokens, refilled continuously at {@code rate} per {@code period}, starting full.
 * Redis's Lua has only doubles, exact for integers up to 2<sup>53</sup>, so the state is kept in
 * integers: a token is {@code unit} = period in µs / g, and the bucket gains {@code refill} =
 * rate / g of these per µs, where g = gcd(period in µs, rate). A day's 1,000 requests are a unit of
 * 86,400,000 and a refill of 1, a second's 10<sup>9</sup> a unit of 1 and a refill of 1,000. Every
 * sum stays exact while {@code capacity × unit} is at most 2<sup>53</sup> (≈ 9·10<sup>15</sup>),
 * which {@code capacity × period in µs} ≤ 2<sup>53</sup> guarantees: any limit per second with a
 * burst up to 9·10<sup>9</sup>, per hour up to 2.5·10<sup>6</sup>, per day up to 10<sup>5</sup> (and
 * usually far beyond, g being large for round numbers: 10<sup>8</sup> per day is exact). Past it the
 * error is a rounding of the state, a part in 10<sup>16</sup> of the bucket.
 *
 * <p><b>The state</b> of a bucket is a string {@code "level:µs"}, its level in units and the time
 * of that level, with a TTL of the time until it would be full again plus {@code keep} ms: a missing
 * key is a full bucket. (One GET and one SET PX per bucket: a hash would take a third command for
 * the TTL, and measured slower.) Time is Redis's own ({@code TIME}), so the nodes' clocks do not
 * matter, unless the caller passes its own (the {@code clock} option, for tests). A clock that goes
 * back refills nothing.
 *
 * <p><b>Arguments</b>: {@code KEYS} one per quota; {@code ARGV} = mode ({@code t} take {@code cost}
 * tokens from every bucket or from none, {@code p} peek at the first for {@code cost} tokens,
 * {@code g} give {@code cost} tokens back to every bucket, up to its capacity), now in µs or
 * {@code ""} for Redis's clock, keep in ms, {@code cost} (at least 1), then
 * {@code unit, refill, capacity} per key. A key given twice is one bucket paying twice.
 *
 * <p><b>Replies</b>: admitted {@code [1, tokens left in each bucket…]}; refused
 * {@code [0, index (1-based) of the first refusing bucket, µs until it has cost tokens]}, the µs
 * being {@code -1} when the cost is above that bucket's capacity (it never will); peek {@code [1]}
 * or {@code [0, 1, µs]}; give back {@code [1]}. A bucket that is full after a call is deleted (a
 * missing key is a full bucket).
 *
 * <p>Every key is read before anything is written, so a script that fails (a key of another type,
 * or a value that is not a bucket: an error reply) has written nothing.
 */
final class BucketScript {
    /** Bump with any change of the stored state's format: it is hashed into every key name. */
    static final String STATE_VERSION = "2";

    /** ARGV before the first key's {@code unit, refill, capacity}: mode, now, keep, cost. */
    static final int HEADER = 4;

    static final String TAKE = "t";
    static final String PEEK = "p";
    static final String GIVE_BACK = "g";

    /** The most a key's TTL is set to (10 years), so that PEXPIRE never overflows. */
    private static final long MAX_TTL_MS = 315_360_000_000L;

    static final String SOURCE = """
            local mode = ARGV[1]
            local now
            if ARGV[2] == '' then
              if redis.replicate_commands then redis.replicate_commands() end
              local clock = redis.call('TIME')
              now = clock[1] * 1000000 + clock[2]
            else
              now = tonumber(ARGV[2])
            end
            local keep = tonumber(ARGV[3])
            local cost = tonumber(ARGV[4])
            local level, at, full, refill = {}, {}, {}, {}
            local out = {1}
            for i = 1, #KEYS do
              local k, a = KEYS[i], 3 * i + 2
              local u, r, cap = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
              local f, need = cap * u, cost * u
              local l = level[k]
              if l == nil then
                local v = redis.call('GET', k)
                local t
                if v then
                  local c = string.find(v, ':', 1, true)
                  if c then
                    l, t = tonumber(string.sub(v, 1, c - 1)), tonumber(string.sub(v, c + 1))
                  end
                  if l == nil or t == nil then
                    return redis.error_reply('portcullis: not a bucket: ' .. k)
                  end
                  if now > t then
                    l, t = l + (now - t) * r, now
                  end
                  if l > f then l = f end
                else
                  l, t = f, now
                end
                at[k], full[k], refill[k] = t, f, r
              end
              if mode == 'g' then
                l = math.min(f, l + need)
              else
                if cost > cap then
                  return {0, i, -1}
                end
                if l < need then
                  return {0, i, math.ceil((need - l) / r)}
                end
                if mode == 'p' then
                  return {1}
                end
                l = l - need
                out[i + 1] = math.floor(l / u)
              end
              level[k] = l
            end
            for k, l in pairs(level) do
              if l >= full[k] then
                redis.call('DEL', k)
              else
                local ttl = math.min(math.ceil((full[k] - l) / refill[k] / 1000) + keep, MAX_TTL)
                redis.call('SET', k, string.format('%.0f:%.0f', l, at[k]), 'PX', string.format('%.0f', ttl))
              end
            end
            return out
            """.replace("MAX_TTL", Long.toString(MAX_TTL_MS));

    /** Lowercase hex SHA-1 of {@link #SOURCE}: what EVALSHA names it by. */
    static final String SHA1 = sha1(SOURCE);

    private BucketScript() {
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** Writes {@code unit, refill, capacity} of {@code l} into {@code args} at {@code at}. */
    static void put(Limit l, String[] args, int at) {
        long periodMicros = Math.max(1, l.period().toNanos() / 1000);
        long g = gcd(periodMicros, l.rate());
        args[at] = Long.toString(periodMicros / g);
        args[at + 1] = Long.toString(l.rate() / g);
        args[at + 2] = Long.toString(l.capacity());
    }

    /** Whether every sum for {@code l} is exact in a double (see the class comment). */
    static boolean exact(Limit l) {
        long periodMicros = Math.max(1, l.period().toNanos() / 1000);
        long unit = periodMicros / gcd(periodMicros, l.rate());
        return l.capacity() <= (1L << 53) / unit;
    }

    static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
