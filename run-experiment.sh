#!/usr/bin/env bash
# Builds lrgrad (without running the tests) when its sources are newer than the bench jar, then runs the study
# (bench/README.md, docs/study.md): pretrains a model on Fashion-MNIST, personalizes it for many users with each
# optimizer, prints the tables over users and checks the paper's claims. Arguments go to the study:
# ./run-experiment.sh --help lists them. On a built tree --help and usage errors answer without a build.
# JVM options can be given in LRGRAD_JAVA_OPTS, e.g. LRGRAD_JAVA_OPTS=-Xmx2g.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

jar=bench/target/lrgrad-bench.jar

# The jar is up to date when no main source, resource or native file, and no pom, of the modules it holds is newer
# than it (test sources do not go into the jar).
jar_is_current() {
  [ -f "$jar" ] || return 1
  [ -z "$(find pom.xml kernels bridge-jni bench \( -path '*/target' -o -path '*/results' \) -prune \
    -o -type f -newer "$jar" \( -path '*/src/main/*' -o -name pom.xml \) -print -quit 2>/dev/null)" ]
}

if jar_is_current; then
  # The quick path: no apt, no Maven. A JDK 25 is all the jar needs.
  require_jdk >/dev/null
else
  require_jdk
  require_maven
  require_gcc # the bench jar carries the jni kernels, so the native library is built too
  say "building the kernels, the native library and the bench module (tests are ./run-tests.sh's job)"
  build_log="$(mktemp)"
  trap 'rm -f "$build_log"' EXIT
  # Maven's own module lines are the progress: one per module as it starts.
  if ! mvn -B -ntp -pl bench -am -Dmaven.test.skip=true package 2>&1 | tee "$build_log" \
      | sed -un 's/^\[INFO\] Building \(.*\) [0-9][^ ]* *\(\[[0-9]*\/[0-9]*\]\)$/[lrgrad build] \2 \1/p'; then
    cat "$build_log"
    die "the build failed (output above)"
  fi
  if ! grep -q "BUILD SUCCESS" "$build_log"; then
    cat "$build_log"
    die "the build failed (output above)"
  fi
  rm -f "$build_log"
fi
# shellcheck disable=SC2086
exec "$LRGRAD_JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED ${LRGRAD_JAVA_OPTS:-} \
  -cp "$jar" org.lrgrad.bench.experiment.Experiment "$@"
