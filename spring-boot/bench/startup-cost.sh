#!/usr/bin/env bash
# What the Portcullis starter adds to the start of a bare Spring Boot web application.
#
# Builds the example application (examples/spring-boot: spring-boot-starter-webmvc + the starter),
# takes its runtime class path (B), and the same class path without Portcullis and the libraries only
# Portcullis brings (A). Then starts one bare application (StartupApp: one controller, no reference to
# Portcullis) in a fresh JVM on each, alternately, N times each, and prints the medians of
# SpringApplication.run and of JVM uptime at "ready". With the starter, the context also holds the
# Portcullis bean (in-memory store, with its warning), the servlet filter and the health/metrics parts
# that apply on this class path.
#
#   bash spring-boot/bench/startup-cost.sh [N]      (default N=10; run from the repository root)
set -euo pipefail
N=${1:-10}
cd "$(dirname "$0")/../.."
OUT=spring-boot/target/startup-cost
mkdir -p "$OUT"
# Every module of the reactor writes the file; the example, built last, writes it last.
flock /tmp/mvn.lock mvn -B -q -pl examples/spring-boot -am -Dmaven.test.skip=true package dependency:build-classpath \
    -DincludeScope=runtime -Dmdep.outputFile="$PWD/$OUT/with.txt"
# Portcullis' modules come from the reactor's target folders, the rest from ~/.m2.
WITH=$(cat "$OUT/with.txt")
grep -q portcullis-spring-boot-starter <<<"$WITH" || { echo "the class path is not the example's: $OUT/with.txt" >&2; exit 1; }
rm -rf "$OUT/classes" && javac -d "$OUT/classes" -cp "$WITH" spring-boot/src/test/java/dev/portcullis/spring/bench/StartupApp.java
ONLY_PORTCULLIS='/portcullis-[^/]*\.jar$|/dev/portcullis/|/com/github/ben-manes/|/com/github/seancfoley/|/de/mkammerer/|/net/java/dev/jna/|/com/bucket4j/|/com/google/errorprone/'
WITHOUT=$(tr ':' '\n' <<<"$WITH" | grep -Ev "$ONLY_PORTCULLIS" | paste -sd: -)
echo "left out of the bare class path:"; tr ':' '\n' <<<"$WITH" | grep -E "$ONLY_PORTCULLIS" | sed 's#.*/##; s#^#  #'
APP=$OUT/classes
run() { java -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$APP:$1" dev.portcullis.spring.bench.StartupApp --server.port=0 \
    --logging.level.root=ERROR 2>/dev/null | grep '^STARTUP'; }
: >"$OUT/bare.txt"; : >"$OUT/starter.txt"
run "$WITHOUT" >/dev/null; run "$WITH" >/dev/null   # warm the OS file cache once
for i in $(seq "$N"); do
  run "$WITHOUT" >>"$OUT/bare.txt"
  run "$WITH" >>"$OUT/starter.txt"
done
python3 - "$OUT/bare.txt" "$OUT/starter.txt" <<'PY'
import re, statistics, sys
def load(p):
    rows = [dict(kv.split('=') for kv in l.split()[1:]) for l in open(p)]
    return rows
bare, starter = load(sys.argv[1]), load(sys.argv[2])
assert all(r['portcullis'] == 'false' for r in bare) and all(r['portcullis'] == 'true' for r in starter)
for key in ('run_ms', 'uptime_ms'):
    b = statistics.median(int(r[key]) for r in bare); s = statistics.median(int(r[key]) for r in starter)
    print(f"{key:10} bare {b:7.0f}  with starter {s:7.0f}  added {s - b:6.0f} ms  (n={len(bare)} each; "
          f"bare {min(int(r[key]) for r in bare)}-{max(int(r[key]) for r in bare)}, "
          f"starter {min(int(r[key]) for r in starter)}-{max(int(r[key]) for r in starter)})")
print(f"bean definitions: bare {bare[0]['beans']}, with starter {starter[0]['beans']}")
PY
