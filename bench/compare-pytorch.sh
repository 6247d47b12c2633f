#!/usr/bin/env bash
# Training throughput of the experiment's MLP (784-1024-1024-10, ReLU), lrgrad against PyTorch on the CPU: the same
# model, batch, optimizer (Adam, then SGD), step count and thread count on each side, synthetic data of
# Fashion-MNIST's shape. Prints the samples per second of both and their ratio.
#
#   bench/compare-pytorch.sh [--threads N] [--steps N] [--warmup N] [--batch N] [--hidden N]
#
#   --threads  threads of both sides: -Dlrgrad.threads and torch.set_num_threads (default: the machine's cores)
#   --steps    timed steps per optimizer (default 500), after --warmup untimed ones (default 50)
#   --batch    samples per step (default 32, the experiment's); --hidden the hidden width (default 1024)
#
# Installs Debian's python3-torch (and what the build needs) from the machine's apt sources when missing.
# LRGRAD_JAVA_OPTS adds JVM options (e.g. -Dlrgrad.kernels=jni); OMP_WAIT_POLICY sets PyTorch's (default PASSIVE).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

threads="$(nproc)"
steps=500
warmup=50
batch=32
hidden=1024
while [ $# -gt 0 ]; do
  case "$1" in
    --threads|--steps|--warmup|--batch|--hidden)
      [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]] || die "$1 needs a whole number"
      declare "${1#--}=$2"
      shift 2
      ;;
    -h|--help)
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[ "$threads" -ge 1 ] && [ "$steps" -ge 1 ] && [ "$batch" -ge 1 ] && [ "$hidden" -ge 1 ] \
  || die "--threads, --steps, --batch and --hidden must be at least 1"

require_jdk
require_maven
require_gcc # bridge-jni's native library is built with the bench jar
require_python_torch

say "building the bench jar"
build_log="$(mktemp)"
side_log="$(mktemp)"
trap 'rm -f "$build_log" "$side_log"' EXIT
if ! mvn -B -q -ntp -pl bench -am -Dmaven.test.skip=true package >"$build_log" 2>&1; then
  cat "$build_log"
  die "the build failed (output above)"
fi

# PyTorch's BLAS here is OpenBLAS (Debian links python3-torch to libblas.so.3): its best kernel for this processor
# after a correctness check, as the benchmarks' peer gets (bench/scripts/openblas-kernel.sh).
source bench/scripts/openblas-kernel.sh
choose_openblas_kernel
say "OpenBLAS under PyTorch: $LRGRAD_OPENBLAS_CHOICE"
omp_wait_policy="${OMP_WAIT_POLICY:-PASSIVE}"
say "PyTorch's OpenMP threads: OMP_WAIT_POLICY=$omp_wait_policy"
say "load average now: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other processes skew both sides)"
results=()
for optimizer in adam sgd; do
  # shellcheck disable=SC2086 # LRGRAD_JAVA_OPTS is a list of options
  ours="$("$LRGRAD_JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Dlrgrad.threads="$threads" ${LRGRAD_JAVA_OPTS:-} -cp bench/target/lrgrad-bench.jar \
    org.lrgrad.bench.experiment.Throughput "$optimizer" "$steps" "$warmup" "$batch" "$hidden" 2>"$side_log" \
    | tail -n 1)"
  grep -v '^WARNING: Using incubator modules' "$side_log" | sed 's/^/  /' >&2
  # PyTorch's intra-op pool (OpenMP) and the OpenBLAS under it (Debian links python3-torch to libblas.so.3, which
  # is OpenBLAS here, with a thread pool of its own) at the same count as lrgrad's. OpenMP threads that wait
  # passively: with GNU OpenMP's default spinning, PyTorch at 2 threads on a loaded 2-core machine ran SGD at 145
  # samples/s instead of 2,350 (measured here, load average 13). OMP_WAIT_POLICY=ACTIVE measures the spinning.
  theirs="$(OMP_WAIT_POLICY="$omp_wait_policy" OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
    "$LRGRAD_PYTHON" bench/scripts/pytorch_throughput.py "$optimizer" "$threads" "$steps" "$warmup" "$batch" \
    "$hidden" 2>"$side_log" | tail -n 1)"
  sed 's/^/  /' "$side_log" >&2
  [ -n "$ours" ] && [ -n "$theirs" ] || die "a side printed no result (its output is above)"
  results+=("$optimizer $ours $theirs")
done

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "MLP 784-$hidden-$hidden-10, batch $batch, $threads thread(s), $steps timed steps after $warmup warm-up; samples/s"
printf '%-10s %18s %18s %18s\n' optimizer lrgrad PyTorch "lrgrad / PyTorch"
for r in "${results[@]}"; do
  read -r optimizer ours theirs <<<"$r"
  printf '%-10s %18s %18s %17sx\n' "$optimizer" "$ours" "$theirs" "$(awk -v a="$ours" -v b="$theirs" \
    'BEGIN { printf "%.2f", a / b }')"
done
