#!/usr/bin/env bash
# Static throughput of the NEON sgemm micro-kernel on a Neoverse N1, by llvm-mca.
#
# Compiles the real source (src/main/native/core/lrgrad_neon.c) with the aarch64 cross compiler and the library's
# optimization flags to assembly, takes the micro-kernel's inner loop out of it (in the function KERNEL, the loop
# from a label to the conditional branch back to that label, the one with FMAs), runs llvm-mca on it, and prints
# one line: cycles per step of k and the share of the core's FMA issue rate. The peak rate is not assumed: it is
# llvm-mca's own figure for a block of independent vector FMAs on the same model.
#
# Usage: bridge-jni/scripts/mca.sh [-v]     (-v also prints the extracted loop and llvm-mca's summary)
# Environment: CC (default aarch64-linux-gnu-gcc), LLVM_MCA (default: llvm-mca-19, else any llvm-mca of LLVM 17+),
#              MCPU (default neoverse-n1).
# Exit status: 0 at or above the goal (90% of the FMA issue rate), 1 below it, 2 when it cannot measure.
set -euo pipefail

KERNEL=f32_gemm_8x8__neonfma
GOAL=90
ITERATIONS=10000
CC="${CC:-aarch64-linux-gnu-gcc}"
MCPU="${MCPU:-neoverse-n1}"
verbose=0
[[ "${1:-}" == "-v" ]] && verbose=1

native="$(cd "$(dirname "$0")/.." && pwd)/src/main/native"
fail() { echo "mca.sh: $*" >&2; exit 2; }

llvm_major() { "$1" --version 2>/dev/null | sed -n 's/.*LLVM version \([0-9][0-9]*\).*/\1/p' | head -n 1; }
# LLVM 14 to 16 have no Neoverse N1 model: -mcpu=neoverse-n1 falls back to Cortex-A57's, where every 128-bit FMLA
# holds one of two FP pipes for 2 cycles (1 vector FMA per cycle, half an N1's rate). LLVM 17 added the N1 model.
find_llvm_mca() {
  local candidate major
  if [[ -n "${LLVM_MCA:-}" ]]; then
    major="$(llvm_major "$LLVM_MCA")"
    [[ -n "$major" && "$major" -ge 17 ]] || fail "LLVM_MCA=$LLVM_MCA is not llvm-mca of LLVM 17 or later (LLVM 14-16 model -mcpu=neoverse-n1 as a Cortex-A57)"
    echo "$LLVM_MCA"
    return
  fi
  for candidate in llvm-mca-19 llvm-mca-20 llvm-mca-21 llvm-mca-22 llvm-mca-18 llvm-mca-17 llvm-mca; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    major="$(llvm_major "$candidate")"
    if [[ -n "$major" && "$major" -ge 17 ]]; then
      echo "$candidate"
      return
    fi
  done
  fail "needs llvm-mca of LLVM 17 or later (LLVM 14-16 model -mcpu=neoverse-n1 as a Cortex-A57); on Debian 12: apt-get install llvm-19"
}
command -v "$CC" >/dev/null 2>&1 || fail "needs $CC (Debian: apt-get install gcc-aarch64-linux-gnu)"
mca="$(find_llvm_mca)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The compile flags of the library's aarch64 build (bridge-jni/pom.xml, native.flags), without linking.
"$CC" -std=c11 -O2 -fPIC -fvisibility=hidden -I"$native/include" -S -o "$work/neon.s" "$native/core/lrgrad_neon.c"

# The kernel's function (gcc may suffix a specialized copy: f32_gemm_8x8__neonfma.constprop.0), then the first loop
# in it whose body has an FMA: its instructions from the label to the branch back to it.
awk -v kernel="$KERNEL" '
  $0 ~ "^" kernel "(\\.[a-z]+\\.[0-9]+)?:" { inside = 1; next }
  inside && /^[ \t]*\.size/ { exit }
  inside && /^\.L[A-Za-z0-9_]+:/ { label = substr($1, 1, length($1) - 1); body = ""; next }
  inside && label != "" && /^\t[a-z]/ {
    body = body $0 "\n"
    n = split($0, field, /[ \t,]+/)
    if ($0 ~ /^\t(b\.?[a-z]*|cbn?z|tbn?z)\t/ && field[n] == label && body ~ /\tfml[as]\t/) { printf "%s", body; found = 1; exit }
  }
  END { exit found ? 0 : 1 }' "$work/neon.s" >"$work/loop.s" || fail "no FMA loop found in $KERNEL (compiled by $CC)"

fmas="$(grep -cE '^\s*fml[as]\s+v[0-9]+\.4s' "$work/loop.s")"
# An MR x NR tile takes MR*NR/4 vector FMAs per step of k.
tile="${KERNEL#f32_gemm_}"; tile="${tile%%__*}"
fmas_per_step=$(( ${tile%x*} * ${tile#*x} / 4 ))
(( fmas % fmas_per_step == 0 )) || fail "the loop has $fmas FMAs, not a multiple of the $tile tile's $fmas_per_step"
steps=$(( fmas / fmas_per_step ))

# The model's peak: 24 vector FMAs into 24 different accumulators, nothing else.
for i in $(seq 0 23); do printf '\tfmla\tv%d.4s, v30.4s, v31.4s\n' "$i"; done >"$work/peak.s"

cycles() { "$mca" -mtriple=aarch64 -mcpu="$MCPU" -iterations="$ITERATIONS" "$1" | awk '/^Total Cycles:/ { print $3 }'; }
loop_cycles="$(cycles "$work/loop.s")"
peak_cycles="$(cycles "$work/peak.s")"
[[ -n "$loop_cycles" && -n "$peak_cycles" ]] || fail "llvm-mca ($mca) printed no cycle count"

if (( verbose )); then
  echo "== inner loop of $KERNEL ($CC -O2), $steps step(s) of k per iteration:"
  cat "$work/loop.s"
  echo "== $mca -mtriple=aarch64 -mcpu=$MCPU -iterations=$ITERATIONS loop.s"
  "$mca" -mtriple=aarch64 -mcpu="$MCPU" -iterations="$ITERATIONS" "$work/loop.s" | sed -n '1,/^$/p;/^Resource pressure per iteration/,/^$/p'
fi

version="$("$mca" --version | sed -n 's/.*LLVM version \([0-9.]*\).*/\1/p' | head -n 1)"
awk -v lc="$loop_cycles" -v pc="$peak_cycles" -v it="$ITERATIONS" -v fmas="$fmas" -v steps="$steps" \
    -v goal="$GOAL" -v kernel="$KERNEL" -v mcpu="$MCPU" -v llvm="$version" -v cc="$CC" 'BEGIN {
  per_step = lc / it / steps
  peak_rate = 24 * it / pc               # vector FMAs per cycle the model issues at most
  share = 100 * (fmas / (lc / it)) / peak_rate
  printf "llvm-mca %s -mcpu=%s: %s (%s -O2) %.2f cycles per step of k for %d FMAs, %.1f%% of the FMA issue rate (%.2f per cycle); goal %d%%\n",
    llvm, mcpu, kernel, cc, per_step, fmas / steps, share, peak_rate, goal
  exit share >= goal ? 0 : 1
}'
