#!/usr/bin/env bash
# Runs lrgrad's JMH benchmarks and writes JMH's JSON, a Markdown report (GFLOP/s, % of the measured single-core
# peak, ratio to OpenBLAS in the same run) and PNG charts into bench/results/<profile>-<date>/.
#
#   bench/run-benchmarks.sh [smoke|quick|full] [FILTER] [-p NAME=V1,V2]...
#
#   smoke   every benchmark once, unwarmed, in seconds: proves the pipeline, measures nothing
#   quick   a representative subset, about 12 minutes on 2 cores (the default)
#   full    every shape, transpose case and thread count: an hour or more
#   FILTER  a regular expression on the benchmark class names (e.g. '^SgemmBenchmark$', 'Sgemm', 'OptimizerStep');
#           PeakBenchmark always runs, the percentages of peak come from it
#   -p      keeps only these values of a parameter in every job that has it, e.g. -p implementation=vector,openblas
#           -p size=256,512 (see bench/README.md for the parameters)
#
# Installs OpenBLAS (the peer every result is compared with), gcc, the aarch64 cross compiler and llvm-19's llvm-mca
# from the machine's apt sources when missing.
# Runs bridge-jni/scripts/mca.sh (the NEON micro-kernel's llvm-mca figure) when the checkout has it, and puts its
# line in the report ("not available" otherwise). Training throughput against PyTorch: bench/compare-pytorch.sh.
set -euo pipefail
command_line="bench/run-benchmarks.sh $*"
cd "$(dirname "$0")/.."
source scripts/setup.sh

profile="quick"
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
  profile="$1"
  shift
fi
case "$profile" in
  smoke|quick|full) ;;
  *) die "unknown profile '$profile'; use smoke, quick or full" ;;
esac
filter=()
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
  filter=(--include "$1")
  shift
fi

require_jdk
require_maven
require_gcc # bridge-jni's native library is built with the benchmarks (its jni kernels are measured too)
require_openblas
require_native_tools # the cross compiler and llvm-mca for the NEON micro-kernel's llvm-mca figure
require_llvm_mca

say "building the benchmarks jar (tests are ./run-tests.sh's job)"
build_log="$(mktemp)"
mca_log="$(mktemp)"
trap 'rm -f "$build_log" "$mca_log"' EXIT
if ! mvn -B -q -ntp -pl bench -am -Dmaven.test.skip=true package >"$build_log" 2>&1; then
  cat "$build_log"
  die "the build failed (output above)"
fi

# The NEON micro-kernel's llvm-mca figure (the native issue), recomputed by the script that bridge-jni keeps for it;
# its one line goes into the report as it is.
mca_script="bridge-jni/scripts/mca.sh"
if [ -f "$mca_script" ]; then
  say "the NEON micro-kernel's llvm-mca figure ($mca_script)"
  if mca_output="$(bash "$mca_script" 2>"$mca_log")" && [ -n "$mca_output" ]; then
    mca_line="$(printf '%s\n' "$mca_output" | tail -n 1)"
  else
    mca_line="not available: $mca_script failed: $(tail -n 1 "$mca_log")"
  fi
else
  mca_line="not available: $mca_script is not in this checkout"
fi
say "llvm-mca: $mca_line"

# OpenBLAS's kernel: the processor's best one after a correctness check (the environment's forced values are
# reported in the report, not used); see bench/scripts/openblas-kernel.sh.
source bench/scripts/openblas-kernel.sh
choose_openblas_kernel
say "OpenBLAS: $LRGRAD_OPENBLAS_CHOICE"

say "load average now: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on the $(nproc) cores skew the figures)"
"$LRGRAD_JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  --sun-misc-unsafe-memory-access=allow -cp bench/target/lrgrad-bench.jar org.lrgrad.bench.run.BenchmarkRunner \
  "$profile" "${filter[@]}" "$@" --command "$command_line" --mca "$mca_line"
