#!/usr/bin/env bash
# Where the filter's time goes: the hello servers of hello.sh under JFR (1 ms Java sampling), one
# recording of the filtered server and one of the bare server under the same wrk load, each
# summed up by servlet/bench/JfrTop.java (docs/benchmarks.md#servlet-filter-issues-9-30).
# Needs wrk and a build of the module, as hello.sh. From the repository root:
#   bash servlet/bench/profile.sh [seconds]        # recordings in servlet/target/{filtered,bare}.jfr
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-20}
WARMUP=${WARMUP:-15}

mvn -o -q -B -pl servlet -am dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench.cp >/dev/null 2>&1 || { echo "building the class path failed" >&2; exit 1; }
DEPS=$(tr ':' '\n' < servlet/target/bench.cp | grep -v '/portcullis-core-' | paste -sd:)
CP="servlet/target/test-classes:servlet/target/classes:core/target/classes:$DEPS"

ENV_FILE=servlet/target/profile.env
rm -f "$ENV_FILE"
java -cp "$CP" dev.portcullis.servlet.HelloBench "$ENV_FILE" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -f "$ENV_FILE" ] && break; sleep 0.2; done
# shellcheck disable=SC1090
source "$ENV_FILE"
PLAIN="http://127.0.0.1:$PLAIN_PORT/hello/example.com"
FILTERED="http://127.0.0.1:$FILTERED_PORT/hello/example.com"

echo "warm-up ${WARMUP}s each (not counted)"
wrk -t1 -c16 -d"${WARMUP}s" -H "Authorization: $AUTH" "$PLAIN" >/dev/null
wrk -t1 -c16 -d"${WARMUP}s" -H "Authorization: $AUTH" "$FILTERED" >/dev/null

record() { # name url
    jcmd "$SERVER" JFR.start name="$1" settings=profile method-profiling=max >/dev/null
    wrk -t1 -c16 -d"${SECONDS_EACH}s" -H "Authorization: $AUTH" "$2" | grep -E 'Requests/sec'
    jcmd "$SERVER" JFR.stop name="$1" filename="$PWD/servlet/target/$1.jfr" >/dev/null
}
record filtered "$FILTERED"
record bare "$PLAIN"
java servlet/bench/JfrTop.java servlet/target/filtered.jfr
echo "(the bare server's recording, for comparison: java servlet/bench/JfrTop.java servlet/target/bare.jfr)"
