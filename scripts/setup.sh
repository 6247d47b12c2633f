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

# gcc and binutils build and inspect the native library (bridge-jni) for this machine; its NEON source compiles
# here through SIMDe.
require_gcc() {
  if ! command -v gcc >/dev/null 2>&1 || ! command -v nm >/dev/null 2>&1; then
    apt_install gcc libc6-dev binutils
  fi
  [ -f /usr/include/simde/arm/neon.h ] || apt_install libsimde-dev
  say "$(gcc --version | head -n 1)"
}

# Sets LRGRAD_SANITIZER_RUNTIME to gcc's AddressSanitizer runtime (libasan.so; UBSan's comes in with the sanitized
# library), which the JVM of bridge-jni's sanitized test run preloads (bridge-jni/README.md). Call after require_gcc.
require_sanitizer_runtime() {
  LRGRAD_SANITIZER_RUNTIME="$(gcc -print-file-name=libasan.so)"
  if [ ! -f "$LRGRAD_SANITIZER_RUNTIME" ]; then
    apt_install libasan8 libubsan1 "libgcc-$(gcc -dumpversion | cut -d. -f1)-dev"
    LRGRAD_SANITIZER_RUNTIME="$(gcc -print-file-name=libasan.so)"
  fi
  [ -f "$LRGRAD_SANITIZER_RUNTIME" ] || die "gcc has no libasan.so after installing libasan8 and libgcc-dev"
  say "sanitizer runtime: $(readlink -f "$LRGRAD_SANITIZER_RUNTIME")"
}

# OpenBLAS, the peer the benchmarks compare with (through FFM), at the Debian path they look for it.
require_openblas() {
  local library="/usr/lib/$(uname -m)-linux-gnu/libopenblas.so.0"
  [ -e "$library" ] || apt_install libopenblas-dev
  say "OpenBLAS: $(readlink -f "$library" || echo "missing: the benchmarks will say so")"
}

# llvm-mca of LLVM 17 or later, the first with a Neoverse N1 model (older ones model -mcpu=neoverse-n1 as a
# Cortex-A57), for bridge-jni/scripts/mca.sh. Debian 12 has llvm-19 beside its default LLVM 14.
require_llvm_mca() {
  command -v llvm-mca-19 >/dev/null 2>&1 || apt_install llvm-19
}

# Sets LRGRAD_PYTHON to Debian's own python3 with PyTorch on the CPU (python3-torch), the other side of
# bench/compare-pytorch.sh's throughput comparison. Debian's python, not the first on the PATH (pyenv, a venv): the
# apt package installs into its dist-packages only.
require_python_torch() {
  LRGRAD_PYTHON=/usr/bin/python3
  [ -x "$LRGRAD_PYTHON" ] || apt_install python3
  "$LRGRAD_PYTHON" -c 'import torch' >/dev/null 2>&1 || apt_install python3-torch
  "$LRGRAD_PYTHON" -c 'import torch' >/dev/null 2>&1 \
    || die "$LRGRAD_PYTHON cannot import torch after installing python3-torch"
  say "PyTorch $("$LRGRAD_PYTHON" -c 'import torch; print(torch.__version__)') on $("$LRGRAD_PYTHON" --version)"
}

# The native library's aarch64 build needs the cross compiler and its C library, and its tests qemu-user
# (bridge-jni/README.md).
require_native_tools() {
  local missing=()
  command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-aarch64-linux-gnu)
  [ -f /usr/aarch64-linux-gnu/include/stdio.h ] || missing+=(libc6-dev-arm64-cross)
  command -v qemu-aarch64 >/dev/null 2>&1 || missing+=(qemu-user)
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
  say "$(aarch64-linux-gnu-gcc --version | head -n 1); $(qemu-aarch64 --version | head -n 1)"
}

# The Android builds of the native library (android-shim): clang 14 with lld, freestanding (no NDK needed), and
# llvm-readelf for the test that reads their ELF headers.
require_android_toolchain() {
  local missing=()
  command -v clang >/dev/null 2>&1 || missing+=(clang)
  command -v ld.lld >/dev/null 2>&1 || missing+=(lld)
  command -v llvm-readelf >/dev/null 2>&1 || missing+=(llvm)
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
  say "$(clang --version | head -n 1) with $(ld.lld --version | head -n 1)"
}

# The URI of the machine's own Debian archive (the source that carries the main suite, not the security one), read
# from its apt sources in either format.
debian_archive_uri() {
  local uri
  uri="$(awk '/^URIs:/ { uri = $2 } /^Suites:/ && uri != "" && $0 !~ /-security/ { print uri; exit }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null)"
  if [ -z "$uri" ]; then
    uri="$(awk '$1 == "deb" && $0 !~ /-security/ {
        for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit }
      }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)"
  fi
  [ -n "$uri" ] || die "no Debian archive found in /etc/apt/sources.list{,.d} to download the arm64 JVM from"
  echo "$uri"
}

# Sets LRGRAD_ARM64_JAVA to a script named java that runs Debian 13's arm64 OpenJDK 25 under qemu-aarch64 (a
# Cortex-A72: NEON, like most phones), for the emulated test run of bridge-jni. The JVM is downloaded once, with a
# private apt configuration (arm64 only, its own lists and cache: nothing on the system changes), and unpacked into
# a folder that serves as qemu's sysroot.
LRGRAD_ARM64_SUITE=trixie
LRGRAD_ARM64_JDK=java-25-openjdk-arm64
require_arm64_jvm() {
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/lrgrad/arm64-jvm-$LRGRAD_ARM64_SUITE"
  local root="$cache/root" wrapper="$cache/jvm/bin/java"
  if [ ! -x "$wrapper" ] || ! "$wrapper" -version >/dev/null 2>&1; then
    say "downloading Debian $LRGRAD_ARM64_SUITE's arm64 OpenJDK into $cache (private apt configuration)"
    rm -rf "$cache"
    mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial" "$cache/apt/etc" "$root" "$cache/jvm/bin"
    : > "$cache/apt/status"
    echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_archive_uri)" \
      "$LRGRAD_ARM64_SUITE main" > "$cache/apt/etc/sources.list"
    local apt=(apt-get -q -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1
      -o APT::Sandbox::User=root -o Dir::State="$cache/apt" -o Dir::State::Lists="$cache/apt/lists"
      -o Dir::State::status="$cache/apt/status" -o Dir::Cache="$cache/apt" -o Dir::Cache::archives="$cache/apt/archives"
      -o Dir::Etc::SourceList="$cache/apt/etc/sources.list" -o Dir::Etc::SourceParts="$cache/apt/etc/none"
      -o Dir::Etc::Parts="$cache/apt/etc/none" -o Dir::Etc::Preferences="$cache/apt/etc/none"
      -o Dir::Etc::PreferencesParts="$cache/apt/etc/none")
    "${apt[@]}" update >/dev/null || die "apt-get update of the private arm64 $LRGRAD_ARM64_SUITE lists failed"
    "${apt[@]}" install --download-only --no-install-recommends -y openjdk-25-jre-headless >/dev/null \
      || die "downloading the arm64 openjdk-25-jre-headless and its libraries failed"
    local deb
    for deb in "$cache"/apt/archives/*.deb; do
      dpkg -x "$deb" "$root"
    done
    rm -rf "$cache/apt/archives"
    # A merged-/usr sysroot, and absolute symlinks (the JVM's conf files point into /etc) kept inside it.
    local dir link
    for dir in lib bin sbin; do
      [ -e "$root/$dir" ] || ln -s "usr/$dir" "$root/$dir"
    done
    find "$root" -type l -lname '/*' | while read -r link; do
      ln -sfn "$root$(readlink "$link")" "$link"
    done
    # Surefire reads the JVM's release file beside bin/.
    cp "$root/usr/lib/jvm/$LRGRAD_ARM64_JDK/release" "$cache/jvm/release"
    cat > "$wrapper" <<WRAPPER
#!/bin/sh
# Debian $LRGRAD_ARM64_SUITE's arm64 JVM under qemu-user on a Cortex-A72 (written by lrgrad's scripts/setup.sh).
exec qemu-aarch64 -cpu cortex-a72 -L "$root" "$root/usr/lib/jvm/$LRGRAD_ARM64_JDK/bin/java" "\$@"
WRAPPER
    chmod +x "$wrapper"
    "$wrapper" -version >/dev/null 2>&1 || die "the arm64 JVM in $root does not start under qemu-aarch64"
  fi
  LRGRAD_ARM64_JAVA="$wrapper"
  say "arm64 JVM (emulated): $("$wrapper" -version 2>&1 | head -n 1)"
}
