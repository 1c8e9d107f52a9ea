#!/usr/bin/env bash
# Prepares the root filesystem of the offline image's base: a Java runtime made by jlink from the
# local JDK 17, the shared libraries it and ONNX Runtime's native library load (found with ldd, plus
# the dynamic loader), /etc/passwd and /etc/group with uid 1000, the CA certificates and an empty
# /tmp. Jib (mvn -Poffline-image, FROM scratch) adds the result as an extra directory; see
# docs/deploy.md. Runs on an x86_64 glibc Linux with a JDK 17 (jlink, jdeps) and ldd; needs no
# registry and no Docker engine.
#
#   strimzi/image/prepare-runtime.sh [launcher/target]
#
# The launcher's runtime jars must be in <launcher/target>/lib (mvn package copies them there). The
# result goes to <launcher/target>/offline-image/rootfs, rebuilt from scratch on every run.
set -euo pipefail

die() { echo "prepare-runtime: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
target=$(cd "${1:-$here/../../launcher/target}" && pwd) || die "no launcher target directory"
lib="$target/lib"
[[ -d $lib ]] || die "$lib missing: run mvn -pl launcher -am package first"
[[ -f $target/sluice-launcher.jar ]] || die "$target/sluice-launcher.jar missing: run mvn -pl launcher -am package first"
[[ $(uname -m) == x86_64 ]] || die "only x86_64 is supported (the image is linux/amd64)"
# the CUDA build (mvn -Pgpu) needs CUDA 12 and cuDNN 9 in its base image; copying whatever CUDA the
# build machine has into the image is not what this script does
if compgen -G "$lib/onnxruntime_gpu-*.jar" >/dev/null; then
  die "$lib holds onnxruntime_gpu (mvn -Pgpu): the offline image is CPU only; see docs/deploy.md, The GPU image"
fi

jdk=${SLUICE_IMAGE_JDK:-}
if [[ -z $jdk ]]; then
  jdk=$(dirname "$(dirname "$(readlink -f "$(command -v jlink || die 'jlink not on PATH; set SLUICE_IMAGE_JDK')")")")
fi
[[ -x $jdk/bin/jlink && -d $jdk/jmods ]] || die "$jdk is not a JDK with jmods (set SLUICE_IMAGE_JDK)"
version=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[[ $version == 17 ]] || die "$jdk is Java $version; the image runs Java 17"

out="$target/offline-image"
root="$out/rootfs"
rm -rf "$out"
mkdir -p "$root"

# 1. Java modules: what jdeps finds in the launcher and its runtime jars, plus modules loaded only
#    by name at run time (TLS with EC keys, the JAAS/SASL and Kerberos classes Kafka may load, the
#    zip file system, extra charsets, DNS JNDI).
found=$("$jdk/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 -q \
  --class-path "$lib/*" "$target/sluice-launcher.jar") || die "jdeps failed"
[[ $found =~ ^[a-z.,]+$ ]] || die "unexpected jdeps output: $found"
modules="$found,jdk.crypto.ec,jdk.security.auth,jdk.security.jgss,jdk.zipfs,jdk.charsets,jdk.naming.dns,jdk.localedata"
echo "prepare-runtime: modules $modules"
"$jdk/bin/jlink" --add-modules "$modules" --output "$root/opt/java" \
  --strip-debug --no-header-files --no-man-pages --compress=2 --include-locales=en --generate-cds-archive
java="$root/opt/java/bin/java"
[[ -x $java ]] || die "jlink produced no bin/java"

# jlink copies files out of the jmods; a Debian JDK's lib/security/cacerts is a link to the
# system's Java trust store, so copy that in explicitly (the Kafka clients use the cluster CA from
# a mounted PEM; the default trust store is for HTTPS to anything else).
cacerts=$(readlink -f "$jdk/lib/security/cacerts")
[[ -s $cacerts ]] || die "no CA certificates at $jdk/lib/security/cacerts"
install -m 644 "$cacerts" "$root/opt/java/lib/security/cacerts"

# 2. Native libraries: ldd on the runtime's binaries and libraries and on the linux-x86_64 glibc
#    JNI libraries inside the runtime jars (ONNX Runtime, RocksDB for the Streams state stores,
#    zstd, snappy, lz4), copied as plain files to the paths the loader searches.
natives="$out/jar-natives"
native_entry='(linux-x64|linux/amd64|Linux/x86_64)/[^/]+[.]so$|^librocksdbjni-linux64[.]so$'
for jar in "$lib"/*.jar; do
  entries=$(unzip -Z1 "$jar" | grep -E "$native_entry" || true)
  [[ -z $entries ]] && continue
  mkdir -p "$natives/$(basename "$jar" .jar)"
  # shellcheck disable=SC2086
  unzip -q -j -o "$jar" $entries -d "$natives/$(basename "$jar" .jar)" || die "cannot unpack natives of $jar"
done
ls "$natives"/onnxruntime-*/libonnxruntime.so >/dev/null 2>&1 || die "no linux-x64 ONNX Runtime library in $lib"

# libraries of the AWT/sound GUI stack that a headless server never loads; their X11/ALSA
# dependencies are not shipped
gui='/lib(awt_xawt|splashscreen|jsound|fontmanager|lcms|javajpeg|mlib_image|jawt|awt)[.]so$'
mapfile -t objects < <(echo "$java"; find "$root/opt/java" "$natives" -name '*.so' -type f | grep -Ev "$gui")
missing=()
declare -A copied=()
copy_lib() { # copy_lib <path on this host> <path in the image>
  local src=$1 dst=$root$2
  [[ -n ${copied[$dst]:-} ]] && return 0
  mkdir -p "$(dirname "$dst")"
  cp -L "$src" "$dst"
  copied[$dst]=1
}
for o in "${objects[@]}"; do
  # LD_LIBRARY_PATH: the runtime's libraries find libjvm.so in the process the launcher started,
  # and a JNI library finds its companions (libonnxruntime.so) beside it once unpacked
  deps=$(LD_LIBRARY_PATH="$root/opt/java/lib/server:$root/opt/java/lib:$(dirname "$o")" ldd "$o") || die "ldd $o failed"
  while read -r line; do
    case $line in
      *"=> not found"*)
        # ONNX Runtime's Java binding loads libonnxruntime.so (soname libonnxruntime.so.1) itself
        # before its JNI library
        [[ $o == */libonnxruntime4j_jni.so && ${line%% *} == libonnxruntime.so.1 ]] && continue
        missing+=("${o#"$out"/}: ${line%% *}");;
      *"=> /"*)
        name=${line%% *}; path=${line#*=> }; path=${path%% (*}
        # the runtime's own libraries and the unpacked JNI libraries are not copied
        [[ $path == "$root"/* || $path == "$natives"/* ]] && continue
        copy_lib "$path" "/lib/x86_64-linux-gnu/$name";;
      /*ld-linux*)
        path=${line%% (*}
        copy_lib "$path" "$path";;
    esac
  done <<< "$deps"
done
((${#missing[@]} == 0)) || die "unresolved shared libraries: ${missing[*]}"
[[ -e $root/lib64/ld-linux-x86-64.so.2 ]] || die "the dynamic loader /lib64/ld-linux-x86-64.so.2 was not found by ldd"
echo "prepare-runtime: shared libraries from this host: $(cd "$root" && ls lib/x86_64-linux-gnu | tr '\n' ' ')"

# 3. Users, name service, /tmp. The pods run as uid 1000 (runAsUser in strimzi/base/components.yaml).
mkdir -p "$root/etc" "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nsluice:x:1000:1000:sluice:/app:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nsluice:x:1000:\n' > "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"

# 4. Check: the jlinked java starts with only the image's libraries (the host's loader and
#    libraries are not used: the image's loader is run directly with the image's library path).
"$root/lib64/ld-linux-x86-64.so.2" --library-path "$root/lib/x86_64-linux-gnu" "$java" -version 2>&1 \
  | sed 's/^/prepare-runtime: /' || die "the jlinked java does not start"

echo "prepare-runtime: $(du -sh "$root" | cut -f1) in $root ($(find "$root" -type f | wc -l) files)"
