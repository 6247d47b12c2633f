#!/usr/bin/env bash
# Builds lrgrad (without running the tests) and runs the demo: an MLP trained on a spiral task through the kernels.
# Extra arguments go to the JVM, e.g. ./run-demo.sh -Dlrgrad.kernels=reference
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
require_jdk
require_maven
require_gcc # the bench jar carries the jni kernels, so the native library is built too

say "building the kernels and the bench module (tests are ./run-tests.sh's job)"
build_log="$(mktemp)"
trap 'rm -f "$build_log"' EXIT
if ! mvn -B -q -ntp -pl bench -am -Dmaven.test.skip=true package >"$build_log" 2>&1; then
  cat "$build_log"
  die "the build failed (output above)"
fi
"$LRGRAD_JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "$@" \
  -cp bench/target/lrgrad-bench.jar org.lrgrad.bench.demo.Demo
