#!/usr/bin/env bash
# The fleet measurement of issue 31 across processes: NODES JVMs (default 2), each a RedisRateLimiter
# at default options with its own Lettuce client and THREADS threads (default 8), all on one hot key
# of N per day (default 1,000), 2N calls per trial in all, TRIALS trials (default 20), on a
# redis-server of its own. Prints each trial's admitted count over all nodes and fails unless every
# trial admitted exactly N and no breaker switched. Needs redis-server and redis-cli on the PATH.
#
#   redis/bench/fleet.sh                 # from the repository root
#   NODES=3 TRIALS=5 redis/bench/fleet.sh
#   BUILD=0 redis/bench/fleet.sh         # again, without building (uses the last build's classpath)
set -euo pipefail
cd "$(dirname "$0")/../.."
NODES=${NODES:-2} THREADS=${THREADS:-8} N=${N:-1000} TRIALS=${TRIALS:-20}
OUT=$(mktemp -d)
CPFILE="$PWD/redis/target/bench-cp.txt"

if [ "${BUILD:-1}" != 0 ] || [ ! -f "$CPFILE" ]; then
    ${MVN:-mvn} -B -q -pl redis -am test-compile dependency:build-classpath \
        -Dmdep.outputFile="$CPFILE" -Dmdep.includeScope=test
fi
CP="redis/target/test-classes:redis/target/classes:$(cat "$CPFILE")"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no > "$OUT/redis.log" 2>&1 &
REDIS=$!
trap 'kill "$REDIS" 2> /dev/null; rm -rf "$OUT"' EXIT
for _ in $(seq 100); do
    redis-cli -p "$PORT" ping > /dev/null 2>&1 && break
    sleep 0.1
done

RUN=$(date +%s%N)
PIDS=()
for i in $(seq 0 $((NODES - 1))); do
    java -cp "$CP" dev.portcullis.redis.FleetNode "$PORT" "$i" "$NODES" "$THREADS" "$N" "$TRIALS" "$RUN" \
        > "$OUT/node$i.txt" 2> "$OUT/node$i.err" &
    PIDS+=($!)
done
for p in "${PIDS[@]}"; do
    wait "$p" || { echo "a node failed:"; cat "$OUT"/node*.err; exit 1; }
done

echo "$NODES JVM nodes x $THREADS threads, one key of N=$N/day, default options, load $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$OUT"/node*.txt | awk -v n="$N" -v trials="$TRIALS" '
    $1 == "trial" { a[$2] += $6 + $8; u[$2] += $10; if ($12 > ms[$2]) ms[$2] = $12; if ($14 > sl[$2]) sl[$2] = $14 }
    $1 == "events" { ev += $2 }
    END {
        bad = 0
        for (t = 0; t < trials; t++) {
            printf "trial %2d: %d admitted, %d unanswered, %d ms, slowest call %d ms\n", t, a[t], u[t], ms[t], sl[t]
            if (a[t] != n) bad++
        }
        printf "exactly N in %d of %d trials; breaker switches: %d\n", trials - bad, trials, ev
        exit (bad > 0 || ev > 0) ? 1 : 0
    }'
