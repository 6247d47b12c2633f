#!/usr/bin/env bash
# Builds every module and runs every test (mvn install: verify, then install), fuzzes each fuzz target for a few
# seconds, checks the README's Java example against the installed jars, then repeats each module's Surefire summary.
# Exits with Maven's status, or the README example's when Maven succeeded.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
require_jdk
require_maven
require_gcc
require_native_tools
require_sanitizer_runtime
require_openblas
require_android_toolchain
require_arm64_jvm
# Maven itself runs on the JDK 25 here: the fuzz profile starts a JVM per fuzz target, and Surefire then lists the
# test classes (compiled for 25) by loading them in Maven's own JVM.
export JAVA_HOME="${LRGRAD_JAVA%/bin/java}"

# Stale reports must not stand for this run.
rm -rf bridge-jni/target/surefire-reports-aarch64 bridge-jni/target/surefire-reports-sanitized \
  bridge-jni/target/native-test-reports android-shim/target/surefire-reports-aarch64 ./*/target/surefire-reports-fuzz
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# A plain mvn builds only what needs JDK 25, Maven and the host's gcc (pom.xml lists the profiles): the tests turn on
# every other toolchain and emulator by name.
profiles=android,aarch64-library,aarch64-tests,sanitizer-tests,fuzz
# install (verify, then the jars into the local Maven repository), so the README example below runs against the
# installed artifacts, as a user's build would.
mvn -B -ntp --fail-at-end install -P"$profiles" -Dlrgrad.arm64.java="$LRGRAD_ARM64_JAVA" \
  -Dlrgrad.sanitizer.runtime="$LRGRAD_SANITIZER_RUNTIME" "$@" 2>&1 | tee "$log" || status=$?
# The README's "Use it from Java" example, compiled and run on the module path against the jars just installed.
readme_status=0
readme_line="README example: did not run (the build failed)"
if [ "$status" -eq 0 ]; then
  echo
  # Where install put the jars: Maven's own answer (a settings.xml may move the local repository).
  maven_repo="$(mvn -B -ntp -q help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null \
    | sed "s/\x1b\[[0-9;]*m//g" || true)"
  scripts/check-readme-example.sh --repo "${maven_repo:-$HOME/.m2/repository}" README.md 2>&1 | tee -a "$log" \
    || readme_status=$?
  readme_line="$(tail -n 1 "$log")"
fi

echo
echo "Test summary (Maven Surefire, per module):"
awk '
  function rank_of(module) { return module in rank ? rank[module] : 99 }
  /\[INFO\] Building .* [0-9.]+(-SNAPSHOT)? +\[[0-9]+\/[0-9]+\]/ {
    module = $0; sub(/.*\[INFO\] Building /, "", module); sub(/ [0-9.]+(-SNAPSHOT)? +\[.*/, "", module)
    order[++n] = module
  }
  # The host runs of a module: its default Surefire execution and every other one except the emulated arm64, sanitized,
  # fuzzing and soak runs, which are summed apart below.
  /maven-surefire-plugin:[^ ]*:test \(/ {
    execution = $0; sub(/.*:test \(/, "", execution); sub(/\).*/, "", execution)
    host = execution !~ /^(aarch64-emulated|sanitized|fuzz|soak)$/
  }
  /Results:/ { results = 1 }
  results && /Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$/ {
    results = 0
    if (!host) next
    line = $0; sub(/^\[[A-Z]+\] /, "", line)
    split(line, f, /[:,] */)
    seen[module] = 1; mrun[module] += f[2]; mfail[module] += f[4]; merr[module] += f[6]; mskip[module] += f[8]
    run += f[2]; failures += f[4]; errors += f[6]; skipped += f[8]
  }
  END {
    # The modules in the order of the poms (the reactor builds profile modules such as android-shim last).
    split("lrgrad kernels,lrgrad bridge-jni,lrgrad android-shim,lrgrad bench", known, ",")
    for (k in known) rank[known[k]] = k
    for (i = 2; i <= n; i++) {
      for (j = i; j > 1 && rank_of(order[j]) < rank_of(order[j - 1]); j--) {
        t = order[j]; order[j] = order[j - 1]; order[j - 1] = t
      }
    }
    for (i = 1; i <= n; i++) {
      m = order[i]
      if (m == "lrgrad") continue
      if (m in seen) {
        printf "  %-22s Tests run: %d, Failures: %d, Errors: %d, Skipped: %d\n", m ":", mrun[m], mfail[m], merr[m], mskip[m]
      } else {
        printf "  %-22s no tests ran\n", m ":"
      }
    }
    printf "  %-22s Tests run: %d, Failures: %d, Errors: %d, Skipped: %d\n", "all modules:", run, failures, errors, skipped
  }' "$log"

# A module's second Surefire run, from its own reports: one line "LABEL: N passed, N failed, N skipped".
summarize_reports() {
  local label="$1" reports="$2"
  if compgen -G "$reports/TEST-*.xml" >/dev/null; then
    cat "$reports"/TEST-*.xml | awk -v label="$label" '
      /<testsuite / {
        for (i = 1; i <= NF; i++) {
          if (split($i, kv, "=") == 2) { gsub(/"/, "", kv[2]); gsub(/[^0-9]/, "", kv[2]); v[kv[1]] += kv[2] }
        }
      }
      END {
        failed = v["failures"] + v["errors"]
        passed = v["tests"] - failed - v["skipped"]
        printf "%s: %d passed, %d failed, %d skipped\n", label, passed, failed, v["skipped"]
      }'
  else
    echo "$label: did not run (no reports in $reports)"
  fi
}
# The emulated arm64 runs (real NEON builds): bridge-jni on the glibc build of the library, android-shim on the
# AAR's freestanding arm64-v8a build; and bridge-jni's host run on the ASan + UBSan build of the library.
summarize_reports "aarch64 NEON (bridge-jni)" bridge-jni/target/surefire-reports-aarch64
summarize_reports "aarch64 NEON (android-shim)" android-shim/target/surefire-reports-aarch64
summarize_reports "ASan+UBSan (host)" bridge-jni/target/surefire-reports-sanitized
# bridge-jni's native test program (NEON against scalar C), each build's line as it wrote it.
native_summary() {
  if [ -f "bridge-jni/target/native-test-reports/$1.txt" ]; then
    cat "bridge-jni/target/native-test-reports/$1.txt"
  else
    echo "native NEON vs scalar C ($2): did not run (no bridge-jni/target/native-test-reports/$1.txt)"
  fi
}
native_summary host "host, SIMDe"
native_summary host-sanitized "host, ASan+UBSan"
native_summary aarch64 "aarch64, qemu cortex-a72"
# Each fuzz target fuzzed for a few seconds (the fuzz profile), after its corpus ran in the module's tests above.
for module in kernels bridge-jni android-shim bench; do
  summarize_reports "fuzzing ($module)" "$module/target/surefire-reports-fuzz"
done
echo "$readme_line"
[ "$status" -ne 0 ] || status="$readme_status"
exit "$status"
