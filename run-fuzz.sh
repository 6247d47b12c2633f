#!/usr/bin/env bash
# Fuzzes every fuzz target for SECONDS (default 600) each, one JVM per target, after running their corpora; a finding
# is written into the target's corpus folder under src/test/resources (commit it once fixed: it then runs in every
# test run). Usage: ./run-fuzz.sh [SECONDS]. Exits with Maven's status.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
require_jdk
require_maven
require_gcc
require_native_tools
require_android_toolchain
# As in run-tests.sh: Surefire lists the test classes of a JVM-per-class run in Maven's own JVM.
export JAVA_HOME="${LRGRAD_JAVA%/bin/java}"
exec mvn -B -ntp verify -Pandroid -pl kernels,bridge-jni,android-shim,bench -am -Dlrgrad.fuzz \
  -Dlrgrad.fuzz.seconds="${1:-600}" \
  -Dtest='*FuzzTest' -Dsurefire.failIfNoSpecifiedTests=false
