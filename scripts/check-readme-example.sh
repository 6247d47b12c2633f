#!/usr/bin/env bash
# Checks the README's Java example as a user meets it: extracts the first ```java block of the section
# "Use it from Java", compiles it and runs it with the JDK 25 on the module path, beside the lrgrad jars, with the
# flags the README documents. Ends with one line, "README example: 1 passed, 0 failed" (or 0 passed, 1 failed).
#
# Usage: scripts/check-readme-example.sh [--repo LOCAL_REPOSITORY] [MARKDOWN_FILE]
#   MARKDOWN_FILE     the file whose example is checked (default README.md)
#   --repo DIR        take the jars that `mvn install -Dmaven.repo.local=DIR` put there, instead of the modules'
#                     target/ folders (`mvn package` or `mvn verify` writes those)
# Exits 0 when the example compiled and ran with exit status 0, 1 when not, 2 for bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."

repo=""
markdown="README.md"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --repo) [ "$#" -ge 2 ] || { echo "--repo needs a folder" >&2; exit 2; }; repo="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (expected --repo DIR or a Markdown file)" >&2; exit 2 ;;
    *) markdown="$1"; shift ;;
  esac
done

source scripts/setup.sh
require_jdk >/dev/null
jdk="${LRGRAD_JAVA%/bin/java}"

fail() {
  echo "README example: $*" >&2
  echo "README example: 0 passed, 1 failed"
  exit 1
}

[ -f "$markdown" ] || fail "no file $markdown"

# The first ```java block under a heading "Use it from Java" (any level), before the next heading of that level or
# a higher one.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
awk '
  /^#+ / {
    level = index($0, " ") - 1
    if (section && level <= section) exit
    if ($0 ~ /^#+ Use it from Java[[:space:]]*$/) section = level
    next
  }
  section && !inside && /^```java[[:space:]]*$/ { inside = 1; next }
  inside && /^```[[:space:]]*$/ { found = 1; exit }
  inside { print }
  END { if (!found) exit 1 }
' "$markdown" > "$work/Example.java" || fail "no \`\`\`java block under a heading \"Use it from Java\" in $markdown"

# The project's version, from the root pom's own <version> (the first one after the parent-less header).
version="$(awk -F'[<>]' '/<artifactId>lrgrad-parent<\/artifactId>/ { parent = 1 } parent && /<version>/ { print $3; exit }' pom.xml)"
[ -n "$version" ] || fail "no version in pom.xml"

# The library's jars: kernels (the training code) and bridge-jni (the native kernels, found through ServiceLoader).
modules="$work/modules"
mkdir -p "$modules"
for artifact in lrgrad-kernels:kernels lrgrad-bridge-jni:bridge-jni; do
  name="${artifact%%:*}"
  if [ -n "$repo" ]; then
    jar="$repo/org/lrgrad/$name/$version/$name-$version.jar"
  else
    jar="${artifact#*:}/target/$name-$version.jar"
  fi
  [ -f "$jar" ] || fail "no $jar (build it first: mvn package, or mvn install -Dmaven.repo.local=DIR with --repo DIR)"
  cp "$jar" "$modules/"
done

# The flags the README documents for the module path: the Vector API module and lrgrad's module for the example's
# `import module`, and native access for the bridge's module.
flags=(--module-path "$modules" --add-modules jdk.incubator.vector,org.lrgrad.kernels
  --enable-native-access=org.lrgrad.bridge.jni)
mkdir -p "$work/classes" "$work/run"
if ! "$jdk/bin/javac" --module-path "$modules" --add-modules org.lrgrad.kernels -d "$work/classes" \
    "$work/Example.java" > "$work/javac.log" 2>&1; then
  cat "$work/javac.log" >&2
  fail "the example of $markdown does not compile (javac output above)"
fi
# In a folder of its own, so that whatever the example writes (a checkpoint) goes away with it.
if ! (cd "$work/run" && timeout 600 "$jdk/bin/java" "${flags[@]}" -cp "$work/classes" Example) \
    > "$work/run.log" 2>&1; then
  cat "$work/run.log" >&2
  fail "the example of $markdown failed when run (output above)"
fi
sed 's/^/  | /' "$work/run.log"
echo "README example: 1 passed, 0 failed"
