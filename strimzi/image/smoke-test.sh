#!/usr/bin/env bash
# Runs the image Jib wrote (target/jib-image.tar) without a container engine: the layers are
# unpacked in order into a root filesystem, which is mounted read-only in a private mount and PID
# namespace with /proc, a minimal /dev and a tmpfs /tmp (as a pod with readOnlyRootFilesystem and
# an emptyDir on /tmp sees it); the image config's entrypoint then runs there with its environment,
# working directory and user (1000:1000), via chroot. Checks:
#   1. sluice --help                       (the jlinked java, the classpath, picocli)
#   2. sluice profile on the linear model  (ONNX Runtime's native library unpacked to /tmp and
#      loaded; the model and catalog from /app/models, copied to /tmp because profile rewrites its
#      catalog; the Fashion-MNIST test set from the host, mounted read-only at /data/fashion-mnist)
#   3. what the image leaves out: no development commands (up, broker, bench, sim) and no in-JVM
#      broker, Scala, JUnit, benchmarks or test data on its classpath; RocksDB with one native
#      library (the development launcher, ./sluice, keeps all of them)
#
#   strimzi/image/smoke-test.sh [path/to/jib-image.tar]
#
# Needs root (mounts, chroot), unshare, jq, python3 and GNU tar; works in launcher/target/smoke-test.
set -euo pipefail

die() { echo "smoke-test: FAILED: $*" >&2; exit 1; }
log() { echo "smoke-test: $*"; }

here=$(cd "$(dirname "$0")" && pwd)
tarball=$(readlink -f "${1:-$here/../../launcher/target/jib-image.tar}")
[[ -f $tarball ]] || die "no image tarball at $tarball (strimzi/image/build-offline-image.sh makes it)"
[[ $(id -u) == 0 ]] || die "needs root (mount namespace, chroot)"
for tool in jq unshare python3 tar mount; do command -v $tool >/dev/null || die "$tool not found"; done
fashion=${SLUICE_FASHION_MNIST:-$here/../../datasets/fashion-mnist}   # the repository's copy of the test split
[[ -f $fashion/t10k-images-idx3-ubyte.gz ]] || die "no Fashion-MNIST test set in $fashion (set SLUICE_FASHION_MNIST)"

work=$(dirname "$tarball")/smoke-test
rm -rf "$work"
mkdir -p "$work/image" "$work/rootfs"
image=$work/image rootfs=$work/rootfs
tar -xf "$tarball" -C "$image"

# --- the image: manifest.json (docker save format, as jib:buildTar writes it), config, layers
[[ $(jq length "$image/manifest.json") == 1 ]] || die "expected one image in $tarball"
config=$image/$(jq -r '.[0].Config' "$image/manifest.json")
mapfile -t layers < <(jq -r '.[0].Layers[]' "$image/manifest.json")
log "image $(jq -r '.[0].RepoTags | join(" ")' "$image/manifest.json"), ${#layers[@]} layers"
for layer in "${layers[@]}"; do
  # Jib never deletes files of a lower layer; whiteouts would need handling this script lacks
  if tar --warning=no-unknown-keyword -tf "$image/$layer" | grep -Eq '(^|/)[.]wh[.]'; then die "layer $layer has whiteout entries"; fi
  tar --warning=no-unknown-keyword --numeric-owner -xpf "$image/$layer" -C "$rootfs"
done
compressed=$(for layer in "${layers[@]}"; do stat -c %s "$image/$layer"; done | paste -sd+ | bc)
log "size: tarball $(du -h "$tarball" | cut -f1), layers compressed $((compressed / 1024 / 1024)) MiB, unpacked $(du -sh "$rootfs" | cut -f1)"

user=$(jq -r '.config.User // ""' "$config")
[[ $user =~ ^[0-9]+:[0-9]+$ ]] || die "image user is '$user', expected numeric uid:gid"
[[ $user != 0:* ]] || die "the image runs as root"
log "entrypoint $(jq -c '.config.Entrypoint' "$config"), user $user, workdir $(jq -r '.config.WorkingDir' "$config")"

# mount points a container runtime would provide
mkdir -p "$rootfs/proc" "$rootfs/dev" "$rootfs/tmp" "$rootfs/data/fashion-mnist"

cat > "$work/exec-in-rootfs.py" <<'PY'
# exec-in-rootfs.py <rootfs> <config.json> [NAME=VALUE ...] -- [args...]: chroot, chdir to the
# working directory, drop to the image's user, exec the entrypoint with the image's environment.
import json, os, sys
rootfs, config = sys.argv[1], json.load(open(sys.argv[2]))["config"]
rest = sys.argv[3:]
sep = rest.index("--")
extra, args = rest[:sep], rest[sep + 1:]
env = dict(e.split("=", 1) for e in config.get("Env", []) + extra)
argv = (config.get("Entrypoint") or []) + (args or config.get("Cmd") or [])
uid, gid = (int(x) for x in config["User"].split(":"))
os.chroot(rootfs)
os.chdir(config.get("WorkingDir") or "/")
os.setgroups([])
os.setgid(gid)
os.setuid(uid)
os.execvpe(argv[0], argv, env)  # a relative entrypoint is looked up in the image PATH, as runc does
PY

# run_image <stdout file> [NAME=VALUE ...] -- args...: the container, in its own namespaces
run_image() {
  local outfile=$1; shift
  unshare --mount --pid --fork --kill-child -- bash -euo pipefail -c '
    rootfs=$1 fashion=$2 work=$3; shift 3
    mount --bind "$rootfs" "$rootfs"
    mount -o remount,bind,ro "$rootfs"
    mount -t proc proc "$rootfs/proc"
    mount -t tmpfs -o mode=755,size=1m tmpfs "$rootfs/dev"
    for d in null zero full random urandom tty; do
      touch "$rootfs/dev/$d"; mount --bind "/dev/$d" "$rootfs/dev/$d"
    done
    mount -t tmpfs -o mode=1777,size=1g tmpfs "$rootfs/tmp"
    mount --bind -o ro "$fashion" "$rootfs/data/fashion-mnist"
    # a writable copy of the image'\''s model zoo (profile rewrites the catalog), as an init
    # container would put it on an emptyDir
    cp -r "$rootfs/app/models" "$rootfs/tmp/models"
    chown -R 1000:1000 "$rootfs/tmp/models"
    exec python3 "$work/exec-in-rootfs.py" "$rootfs" "$work/config.json" "$@"
  ' run-image "$rootfs" "$fashion" "$work" "$@" > "$outfile" 2>&1
}
cp "$config" "$work/config.json"

# 1. --help (with the JVM's settings: which runtime, which user)
log "1. sluice --help"
status=0
run_image "$work/help.out" JDK_JAVA_OPTIONS=-XshowSettings:properties -- --help || status=$?
grep -E '^ +(java\.home|java\.runtime\.version|user\.name|user\.dir|java\.io\.tmpdir|os\.arch) = ' "$work/help.out" || true
sed -n '/^Usage: sluice/,$p' "$work/help.out" | sed 's/^/    /'
((status == 0)) || { cat "$work/help.out"; die "--help exited with $status"; }
grep -q '^ *java.home = /opt/java$' "$work/help.out" || die "not the image's jlinked runtime"
grep -q '^ *user.name = sluice$' "$work/help.out" || die "not running as user sluice (uid 1000)"
grep -q 'Usage: sluice' "$work/help.out" || die "--help printed no usage"
for sub in profile catalog selector executor aggregator bridge gateway; do
  grep -Eq "^ +$sub( |$)" "$work/help.out" || die "--help lists no subcommand $sub"
done

# 2. profile: ONNX Runtime in the image runs a model of the zoo
log "2. sluice profile --variants linear (ONNX Runtime, CPU)"
status=0
run_image "$work/profile.out" SLUICE_FASHION_MNIST=/data/fashion-mnist -- \
  profile --catalog /tmp/models/catalog.yaml --variants linear --device cpu --threads 1 \
  --seconds 0.3 --batches 1,8 --skip-ensembles || status=$?
sed 's/^/    /' "$work/profile.out"
((status == 0)) || die "profile exited with $status"
grep -q 'catalog written: /tmp/models/catalog.yaml' "$work/profile.out" || die "profile wrote no catalog"
# the accuracy the training script reported (models/reports, not in the image) on the same test set
expected=$(jq -r .test_accuracy "$here/../../models/reports/train-linear.json")
measured=$(sed -n 's/^linear *accuracy \([0-9.]*\) .*/\1/p' "$work/profile.out")
[[ -n $measured ]] || die "profile printed no accuracy for linear"
[[ $(echo "d = $measured - $expected; if (d < 0) d = -d; d <= 0.0005" | bc -l) == 1 ]] \
  || die "linear: accuracy $measured in the image, $expected from the training script"
log "linear: accuracy $measured in the image = $expected from the training script"

# 3. what the deployment image leaves out (issue 17): the development launcher's commands, the
#    in-JVM broker's test kit (kafka_2.13, Scala, JUnit, log4j-core), the benchmarks, the simulator,
#    the test data, and RocksDB's libraries for other platforms
log "3. what the image leaves out"
for sub in up broker bench sim; do
  if grep -Eq "^ +$sub( |$)" "$work/help.out"; then die "--help lists the development command $sub"; fi
done
classpath=$(tr ':' '\n' < "$rootfs/app/jib-classpath-file")
for jar in kafka_2.13 kafka-server kafka-test-common scala-library junit-jupiter junit-platform log4j-core \
           sluice-embedded-kafka sluice-bench sluice-sim sluice-datasets rocksdbjni-; do
  if grep -q "/$jar" <<<"$classpath"; then die "the classpath carries $jar: $(grep "/$jar" <<<"$classpath" | head -1)"; fi
done
rocks=$(grep '/sluice-rocksdbjni-linux64-' <<<"$classpath") || die "no sluice-rocksdbjni-linux64 on the classpath"
natives=$(cd "$rootfs" && python3 -c 'import sys, zipfile; print(" ".join(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith((".so", ".dll", ".jnilib"))))' ".$rocks")
[[ $natives == librocksdbjni-linux64.so ]] || die "RocksDB natives in the image: $natives"
log "classpath: $(wc -l <<<"$classpath") entries, $(cd "$rootfs" && du -ch $(sed 's|^|.|' <<<"$classpath") | tail -1 | cut -f1); RocksDB natives: $natives"
log "OK"
