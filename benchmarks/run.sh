#!/usr/bin/env bash
# Runs benchmarks/target/benchmarks.jar on a JDK 25 (the default `java` on PATH may be 17).
#   benchmarks/run.sh compare [ring options]                 issue 5's side-by-side table (see README.md)
#   benchmarks/run.sh ring [--quick] [--only raw|flux] ...   two-process ring harness
#   benchmarks/run.sh jmh [JMH options]                      JMH, e.g. jmh -prof gc RingRoundTripBenchmark
# Picks $JAVA_HOME/bin/java if it is 25 or newer, else /usr/lib/jvm/*25*/bin/java.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/benchmarks.jar"

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | cut -d. -f1
}

java=""
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && (( $(java_major "$JAVA_HOME/bin/java") >= 25 )); then
  java="$JAVA_HOME/bin/java"
else
  for candidate in /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*/bin/java; do
    if [[ -x "$candidate" ]] && (( $(java_major "$candidate") >= 25 )); then
      java="$candidate"
      break
    fi
  done
fi
if [[ -z "$java" ]]; then
  echo "run.sh: no JDK 25 found (set JAVA_HOME to one)" >&2
  exit 2
fi
if [[ ! -f "$jar" ]]; then
  echo "run.sh: $jar is missing; build it first:" >&2
  echo "  mvn -q -pl benchmarks -am package -Dmaven.test.skip=true" >&2
  exit 2
fi
exec "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"
