# Sourced by bench/run-benchmarks.sh and bench/compare-pytorch.sh (after scripts/setup.sh and the jar's build):
# gives OpenBLAS the processor's best kernel for the measurements that follow.
#
# Some environments force an older kernel (OPENBLAS_CORETYPE, with OPENBLAS_L2_SIZE) because some OpenBLAS builds
# compute wrong results or crash on some processors with the one they detect. A peer, or PyTorch on top of
# OpenBLAS, should run its best kernel, so choose_openblas_kernel takes the processor's best (SkylakeX with
# AVX-512, Haswell with AVX2 and FMA) when OpenBlasCheck (sgemm against a float64 product, every transpose case)
# passes with it, exports it and unsets OPENBLAS_L2_SIZE; otherwise it leaves the environment as it is. Either way
# LRGRAD_OPENBLAS_CHOICE says what was chosen and what the environment had, for the report.
choose_openblas_kernel() {
  local forced_coretype="${OPENBLAS_CORETYPE-}" forced_l2="${OPENBLAS_L2_SIZE-}" best="" check=""
  local forced_text="the environment's OPENBLAS_CORETYPE=${forced_coretype:-(unset)},"
  forced_text+=" OPENBLAS_L2_SIZE=${forced_l2:-(unset)}"
  if grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo; then
    best="SkylakeX"
  elif grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    best="Haswell"
  fi
  LRGRAD_OPENBLAS_CHOICE="kernel as the environment selects it ($forced_text)"
  if [ -n "$best" ]; then
    if check="$(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$best" "$LRGRAD_JAVA" --enable-native-access=ALL-UNNAMED \
        -cp bench/target/lrgrad-bench.jar org.lrgrad.bench.implementations.OpenBlasCheck 2>&1 | tail -n 1)" \
        && [[ "$check" == *": correct "* ]]; then
      export OPENBLAS_CORETYPE="$best"
      unset OPENBLAS_L2_SIZE
      LRGRAD_OPENBLAS_CHOICE="OPENBLAS_CORETYPE=$best, the processor's best kernel (check against float64: $check);"
      LRGRAD_OPENBLAS_CHOICE+=" $forced_text, reported, not used"
    else
      LRGRAD_OPENBLAS_CHOICE+="; OPENBLAS_CORETYPE=$best failed the correctness check, so not used: $check"
    fi
  fi
  export LRGRAD_OPENBLAS_CHOICE
}
