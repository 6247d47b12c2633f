#!/usr/bin/env bash
# Time to the first N training steps from a fresh JVM (the study's MLP 784-1024-1024-10, batch 32, one thread), per
# kernels, without and with a JDK 25 AOT cache (JEP 483/514/515: loaded and linked classes plus method profiles from
# a training run, so the JIT compiles the hot loops sooner).
#
#   bench/scripts/warmup.sh [OPTIMIZER] [KERNELS...]     (default: sgd; vector jni ffm)
#   WARMUP_MODEL=small bench/scripts/warmup.sh ...        a 784-256-10 MLP instead (default: study)
#
# For each kernels it prints WarmupRun's lines (first 50, 300 and 3000 steps, then the steady rate) for
#   default   a plain JVM, as ./run-experiment.sh starts one today;
#   aot       a JVM started with -XX:AOTCache=FILE, the cache made once by a training run of 300 steps
#             (-XX:AOTCacheOutput=FILE), in bench/target/warmup-KERNELS.aot.
# The jar must be built first (bench/run-benchmarks.sh or mvn -pl bench -am -Dmaven.test.skip=true package).
set -euo pipefail
cd "$(dirname "$0")/../.."
java="${LRGRAD_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
jar="bench/target/lrgrad-bench.jar"
[ -f "$jar" ] || { echo "warmup.sh: $jar is missing: build the benchmarks first" >&2; exit 1; }
optimizer="${1:-sgd}"
shift || true
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(vector jni ffm)
model="${WARMUP_MODEL:-study}"
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
  -Dlrgrad.threads=1)
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
for k in "${kernels[@]}"; do
  echo "== $k default"
  "$java" "${flags[@]}" -cp "$jar" org.lrgrad.bench.WarmupRun "$k" "$optimizer" 50,300,3000 "$model" 2>&1 \
    | grep -v "^WARNING: Using incubator"
  cache="bench/target/warmup-$k.aot"
  rm -f "$cache"
  "$java" "${flags[@]}" -XX:AOTCacheOutput="$cache" -cp "$jar" org.lrgrad.bench.WarmupRun "$k" "$optimizer" 300 \
    "$model" >/dev/null 2>&1 || { echo "== $k aot: the training run failed"; continue; }
  echo "== $k aot ($cache, $(du -h "$cache" | cut -f1))"
  "$java" "${flags[@]}" -XX:AOTCache="$cache" -cp "$jar" org.lrgrad.bench.WarmupRun "$k" "$optimizer" 50,300,3000 \
    "$model" 2>&1 | grep -v "^WARNING: Using incubator"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
