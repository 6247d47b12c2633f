#!/usr/bin/env bash
# The soak run (bridge-jni's SoakRun, README "Soak"): builds kernels and bridge-jni without their tests, then trains
# every optimizer on both test models for many thousand steps on jni and on vector, sampling the Java heap after GC
# and the resident set size; fails if either grows beyond its bound after the warm-up. Prints the result, which is
# also in bridge-jni/target/soak-result.txt. Options go to Maven, e.g. -Dlrgrad.soak.rounds=100000 for a longer run (the
# default, 25000 rounds of one step of each of the 38 trainers, is 950000 steps per implementation).
# Exits with Maven's status.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
require_jdk
require_maven
require_gcc
rm -f bridge-jni/target/soak-result.txt
status=0
mvn -B -ntp verify -pl kernels,bridge-jni -am -DskipTests -Dlrgrad.soak "$@" || status=$?
echo
echo "Soak result:"
cat bridge-jni/target/soak-result.txt 2>/dev/null || echo "  none (the build failed before the soak ran)"
exit "$status"
