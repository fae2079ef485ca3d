#!/usr/bin/env bash
# Requests/s of a hello servlet on loopback, bare and behind PortcullisFilter (docs/benchmarks.md#servlet-filter-issue-9).
# Needs wrk (apt-get install -y wrk) and a build of the module:
#   mvn -o -q -B -pl servlet -am verify -Dsurefire.failIfNoSpecifiedTests=false -Dtest='dev.portcullis.servlet.**'
# Usage, from the repository root: bash servlet/bench/hello.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-10}
CONNECTIONS=${2:-16}
THREADS=1
WARMUP=${WARMUP:-15}

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
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$PLAIN" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: $AUTH" "$FILTERED" >/dev/null

echo "| round | without filter (req/s) | with filter (req/s) | ratio | server CPU µs/req without | with |"
echo "|---|---|---|---|---|---|"
for round in 1 2; do
    read -r p pc <<<"$(run "$PLAIN")"
    read -r f fc <<<"$(run "$FILTERED" "$AUTH")"
    echo "| $round | $p | $f | $(awk -v p="$p" -v f="$f" 'BEGIN { printf "%.3f", f / p }') | $pc | $fc |"
done
