#!/usr/bin/env bash
# Revocation across two JVMs (issue 31): node A and node B are two `java` processes on one embedded
# PostgreSQL, at default store settings; 100 trials of "A revokes, B denies", timed from revoke()
# returning on A to B's first denial. Prints p50/p99/max and writes jdbc/target/revocation-two-jvms.txt.
#
#   bash jdbc/bench/revocation-two-jvms.sh                 # push on (the default), 100 trials
#   bash jdbc/bench/revocation-two-jvms.sh --no-push       # the poll alone, for comparison
#   options: --trials N --warmup N --no-push --poll-ms N --out FILE
#
# On a machine shared with other builds, run the whole script under the build lock, e.g.
#   flock /tmp/mvn.lock bash jdbc/bench/revocation-two-jvms.sh
# Set MVN_FLAGS=-o to build offline.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Compile jdbc and the modules it needs (with their tests' classes), and write jdbc's test class path.
mvn -q -B ${MVN_FLAGS:-} -pl jdbc -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt

CP="jdbc/target/test-classes:jdbc/target/classes:$(cat jdbc/target/bench-classpath.txt)"
exec java -cp "$CP" dev.portcullis.jdbc.RevocationAcrossJvms "$@"
