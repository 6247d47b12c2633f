#!/bin/bash
# One session: the same short JMH runs on two builds of the bench jar, before and after, interleaved twice. Build
# each with `mvn -B -ntp -q -pl bench -am package -DskipTests` and copy bench/target/lrgrad-bench.jar to
# /tmp/contract-before.jar and /tmp/contract-after.jar. Waits while another JMH run holds its lock.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
COMMON="-wi 2 -w 1 -i 3 -r 1 -f 1 -p threads=1"
jmh() {
  while true; do
    out=$($J -jar "$@" 2>&1)
    if echo "$out" | grep -q 'Unable to acquire the JMH lock'; then sleep 15; continue; fi
    echo "$out" | grep -E '^(Sgemm|LowRankSgemm|OptimizerStep)Benchmark\.|^Benchmark '
    echo "$out" | grep -iE 'unavailable|exception' | head -3
    return
  done
}
for round in 1 2; do
for jar in before after; do
  echo "=== $jar round $round, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S)"
  jmh /tmp/contract-$jar.jar 'bench.SgemmBenchmark' -p size=256,1024 -p implementation=vector,vector-128 $COMMON
  jmh /tmp/contract-$jar.jar 'bench.LowRankSgemmBenchmark' -p m=4096 -p r=16 -p n=4096 -p implementation=vector,vector-128 $COMMON
  jmh /tmp/contract-$jar.jar 'bench.OptimizerStepBenchmark' -p step=sgd -p layer=1024x1024 -p implementation=vector,vector-128 $COMMON
done
done
echo "=== end $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
