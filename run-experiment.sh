#!/usr/bin/env bash
# Builds lrgrad (without running the tests) and runs the paper's experiment (bench/README.md): pretrains a model on
# Fashion-MNIST, personalizes it for one user with six optimizers, prints the memory and accuracy table and checks
# the seed's claims. Arguments go to the experiment: ./run-experiment.sh --help lists them.
# JVM options can be given in LRGRAD_JAVA_OPTS, e.g. LRGRAD_JAVA_OPTS=-Xmx2g.
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
# shellcheck disable=SC2086
"$LRGRAD_JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED ${LRGRAD_JAVA_OPTS:-} \
  -cp bench/target/lrgrad-bench.jar org.lrgrad.bench.experiment.Experiment "$@"
