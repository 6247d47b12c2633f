# Machine set-up shared by run-experiment.sh and run-tests.sh (sourced, not run): each require_* function checks one
# thing the build needs and installs it through the machine's own apt sources when it can, or stops with what to do.

LRGRAD_MIN_JDK=25

say() {
  echo "[lrgrad setup] $*"
}

die() {
  echo "[lrgrad setup] ERROR: $*" >&2
  exit 1
}

# apt-get install PACKAGE..., refreshing the package lists once if the first attempt fails (a new machine may have
# none yet). Needs root, or sudo.
apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "installing $* needs root; run: apt-get install -y $*"
    sudo="sudo"
  fi
  command -v apt-get >/dev/null 2>&1 || die "no apt-get on this machine; install $* yourself"
  say "installing $* (apt)"
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; then
    $sudo apt-get update -q >/dev/null || die "apt-get update failed"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null || die "apt-get install $* failed"
  fi
}

# The major version of the JDK at $1 (from its release file), or nothing when $1 is not a JDK.
jdk_major() {
  [ -x "$1/bin/javac" ] && [ -f "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
}

# Sets LRGRAD_JAVA to the java of a JDK >= 25. Maven's toolchains plugin finds the same JDK by itself (JAVA_HOME,
# /usr/lib/jvm, ...); the build never uses the machine's default java for compiling or testing.
require_jdk() {
  local home major
  for home in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$home" ] || continue
    major="$(jdk_major "$home")"
    if [ -n "$major" ] && [ "$major" -ge "$LRGRAD_MIN_JDK" ]; then
      LRGRAD_JAVA="$home/bin/java"
      say "JDK $major at $home"
      return 0
    fi
  done
  die "no JDK $LRGRAD_MIN_JDK or newer in JAVA_HOME or /usr/lib/jvm (Debian 12 packages none). Install one, for" \
    "instance Eclipse Temurin 25, under /usr/lib/jvm and run this again."
}

require_maven() {
  command -v mvn >/dev/null 2>&1 || apt_install maven
  say "$(mvn -v 2>/dev/null | head -n 1 | sed 's/\x1b\[[0-9;]*m//g')"
}

# gcc and binutils build and inspect the native library (bridge-jni).
require_gcc() {
  if ! command -v gcc >/dev/null 2>&1 || ! command -v nm >/dev/null 2>&1; then
    apt_install gcc libc6-dev binutils
  fi
  say "$(gcc --version | head -n 1)"
}
