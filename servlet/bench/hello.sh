#!/usr/bin/env bash
# Requests/s of a hello servlet on loopback, bare and behind PortcullisFilter (docs/benchmarks.md#servlet-filter-issues-9-30).
# Needs wrk (apt-get install -y wrk) and a build of the module:
#   mvn -o -q -B -pl servlet -am verify -Dsurefire.failIfNoSpecifiedTests=false -Dtest='dev.portcullis.servlet.**'
# Usage, from the repository root: bash servlet/bench/hello.sh [seconds] [connections]
# ROUNDS (default 3) interleaved rounds; the last line sums them up (medians).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-10}
CONNECTIONS=${2:-16}
THREADS=1
WARMUP=${WARMUP:-15}
ROUNDS=${ROUNDS:-3}

# -am so that the core's own pom (not a stale installed one) decides its dependencies; the core
# itself comes from core/target/classes, never from the local repository.
mvn -o -q -B -pl servlet -am dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench.cp >/dev/null 2>&1 || { echo "building the class path failed" >&2; exit 1; }
DEPS=$(tr ':' '\n' < servlet/target/bench.cp | grep -v '/portcullis-core-' | paste -sd:)
CP="servlet/target/test-classes:servlet/target/classes:core/target/classes:$DEPS"

ENV_FILE=servlet/target/bench.env
rm -f "$ENV_FILE"
java -cp "$CP" dev.portcullis.servlet.HelloBench "$ENV_FILE" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -f "$ENV_FILE" ] && break; sleep 0.2; done
# shellcheck disable=SC1090
source "$ENV_FILE"

PLAIN="http://127.0.0.1:$PLAIN_PORT/hello/example.com"
FILTERED="http://127.0.0.1:$FILTERED_PORT/hello/example.com"
curl -fsS "$PLAIN" >/dev/null
curl -fsS -H "Authorization: $AUTH" "$FILTERED" >/dev/null
[ "$(curl -s -o /dev/null -w '%{http_code}' "$FILTERED")" = 401 ]

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; } # the server's user + system time, in clock ticks
HZ=$(getconf CLK_TCK)

# One wrk run; prints "requests/s server-CPU-µs-per-request".
run() { # url [header]
    local before after out
    before=$(cpu_ticks)
    if [ $# -eq 2 ]; then
        out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_EACH}s" -H "Authorization: $2" "$1")
    else
        out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_EACH}s" "$1")
    fi
    after=$(cpu_ticks)
    echo "$out" | awk -v ticks=$((after - before)) -v hz="$HZ" '
        /requests in/ { n = $1 }
        /Requests\/sec/ { rps = $2 }
        / Non-2xx/ { bad = $NF }
        END { if (bad) { print "non-2xx responses: " bad > "/dev/stderr"; exit 1 }
              printf "%s %.1f\n", rps, ticks / hz * 1e6 / n }'
}

echo "warm-up ${WARMUP}s each (not counted)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: $AUTH" "$PLAIN" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: $AUTH" "$FILTERED" >/dev/null

# Each round: the bare server without the header, the bare server with the same header (which it
# ignores), then the filtered server. The filter is judged against the second: the same request
# bytes, so Jetty's reading of the header, which any authenticated API pays, is not counted as
# the filter's. The first shows that reading on its own.
echo "| round | bare, no header (req/s) | bare, same header | with filter | ratio | server CPU µs/req: bare, no header | bare, same header | with filter |"
echo "|---|---|---|---|---|---|---|---|"
RESULTS=""
for round in $(seq "$ROUNDS"); do
    read -r n nc <<<"$(run "$PLAIN")"
    read -r p pc <<<"$(run "$PLAIN" "$AUTH")"
    read -r f fc <<<"$(run "$FILTERED" "$AUTH")"
    echo "| $round | $n | $p | $f | $(awk -v p="$p" -v f="$f" 'BEGIN { printf "%.3f", f / p }') | $nc | $pc | $fc |"
    RESULTS+="$n $p $f $nc $pc $fc"$'\n'
done
# Medians over the rounds: each round's runs follow each other, so a change of load between rounds
# moves all three; the median keeps one disturbed round from deciding.
echo -n "$RESULTS" | awk '
    function median(a, n,   i, j, t) {
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function range(a, n,   i, lo, hi) {
        lo = hi = a[1]
        for (i = 2; i <= n; i++) { lo = a[i] < lo ? a[i] : lo; hi = a[i] > hi ? a[i] : hi }
        return sprintf("%s to %s", fmt(lo), fmt(hi))
    }
    function fmt(x) { return kind == "r" ? sprintf("%.3f", x) : sprintf("%+.1f", x) }
    NF == 6 { k++; r[k] = $3 / $2; d[k] = $6 - $5; rn[k] = $3 / $1; dn[k] = $6 - $4 }
    END {
        kind = "r"; a = range(r, k); an = range(rn, k); kind = "d"; b = range(d, k); bn = range(dn, k)
        printf "summary (median of %d rounds): with the filter %.3f of bare throughput (%s), %+.1f µs server CPU per request (%s);", k, median(r, k), a, median(d, k), b
        printf " against bare requests without the header %.3f (%s), %+.1f µs (%s)\n", median(rn, k), an, median(dn, k), bn
    }'
