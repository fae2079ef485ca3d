#!/usr/bin/env bash
# The benchmark report in one command: builds the benchmarks, runs the whole JMH suite once
# (one JSON), and turns the JSON into the charts under docs/charts/ and the tables in
# docs/benchmarks.md (between its <!-- report:NAME --> markers) and docs/bench/jmh-report.md.
#
#   bash jmh/report.sh                 # the whole suite (about 20-25 minutes on 2 cores)
#   bash jmh/report.sh 'Scale|Spring'  # a subset, for a look: written under jmh/target/report/
#                                      # instead of docs/, the missing series are reported
#
# On a shared machine, serialize it with other CPU-heavy jobs, e.g.
#   flock /tmp/portcullis-build.lock bash jmh/report.sh
# (the script takes no lock itself, so that it can run under one).
#
# Every benchmark runs 4 x 2 s warm-up and 5 x 1 s measurement in one fork, overriding the
# classes' own settings, so that the whole suite fits in one sitting and every series is
# measured in the same run. Environment: JMH_OPTS replaces those settings, JAVA the java binary.
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA=${JAVA:-java}
JMH_OPTS=${JMH_OPTS:--wi 4 -w 2s -i 5 -r 1s}
FILTER=${1:-}
if [ -z "$FILTER" ]; then
    OUT=docs/bench CHARTS=docs/charts DOC=docs/benchmarks.md
else
    OUT=jmh/target/report CHARTS=jmh/target/report/charts DOC=
fi
JSON=$OUT/jmh-report.json
MACHINE=$OUT/machine.properties

mvn -q -B -pl jmh -am package -DskipTests
mkdir -p "$OUT" "$CHARTS"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
os="$(uname -sr), $( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || echo unknown)"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
# shellcheck disable=SC2086
"$JAVA" -jar jmh/target/benchmarks.jar $FILTER $JMH_OPTS -foe true -prof gc -rf json -rff "$JSON"
end=$(date +%s)
{
    echo "command=bash jmh/report.sh ${FILTER}  (java -jar jmh/target/benchmarks.jar ${FILTER:+$FILTER }$JMH_OPTS -foe true -prof gc -rf json -rff $JSON)"
    echo "cpu=${cpu:-unknown}"
    echo "cores=$(nproc)"
    echo "memory=$mem"
    echo "os=$os"
    echo "date=$(date -u +%Y-%m-%d)"
    echo "loadStart=$load_start"
    echo "loadEnd=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "durationSeconds=$((end - start))"
} > "$MACHINE"
status=0
if [ -n "$DOC" ]; then
    "$JAVA" -cp jmh/target/benchmarks.jar dev.portcullis.jmh.report.Charts "$JSON" "$MACHINE" "$CHARTS" "$DOC" "$OUT/jmh-report.md" || status=$?
else
    "$JAVA" -cp jmh/target/benchmarks.jar dev.portcullis.jmh.report.Charts "$JSON" "$MACHINE" "$CHARTS" || status=$?
fi
echo "report: $JSON, $CHARTS/*.svg${DOC:+, $DOC, $OUT/jmh-report.md} ($((end - start)) s of JMH)"
exit $status
