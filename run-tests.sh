#!/usr/bin/env bash
# Builds every module and runs every test (mvn verify), then repeats each module's Surefire summary at the end.
# Exits with Maven's status.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
require_jdk
require_maven
require_gcc
require_native_tools

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
mvn -B -ntp --fail-at-end verify "$@" 2>&1 | tee "$log" || status=$?

echo
echo "Test summary (Maven Surefire, per module):"
awk '
  /\[INFO\] Building .* [0-9.]+(-SNAPSHOT)? +\[[0-9]+\/[0-9]+\]/ {
    module = $0; sub(/.*\[INFO\] Building /, "", module); sub(/ [0-9.]+(-SNAPSHOT)? +\[.*/, "", module)
    order[++n] = module
  }
  /Results:/ { results = 1 }
  results && /Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$/ {
    line = $0; sub(/^\[[A-Z]+\] /, "", line); summary[module] = line; results = 0
    split(line, f, /[:,] */); run += f[2]; failures += f[4]; errors += f[6]; skipped += f[8]
  }
  END {
    for (i = 1; i <= n; i++) {
      if (order[i] != "lrgrad") printf "  %-22s %s\n", order[i] ":", (order[i] in summary ? summary[order[i]] : "no tests ran")
    }
    printf "  %-22s Tests run: %d, Failures: %d, Errors: %d, Skipped: %d\n", "all modules:", run, failures, errors, skipped
  }' "$log"
exit "$status"
