#!/usr/bin/env bash
# Builds the Sluice image with no registry and no Docker engine: launcher/target/jib-image.tar,
# named and tagged like the registry build (launcher/pom.xml sluice.image.name, project version).
#   1. mvn package             the launcher and its runtime jars (target/lib)
#   2. prepare-runtime.sh      the jlinked Java runtime and shared libraries (target/offline-image)
#   3. mvn package jib:buildTar -Poffline-image   FROM scratch plus that root filesystem
# Extra arguments go to both Maven runs (e.g. -o for offline, -q).
#
#   strimzi/image/build-offline-image.sh [-o] [maven args...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
mvn -B "$@" -pl launcher -am package -DskipTests
strimzi/image/prepare-runtime.sh launcher/target
mvn -B "$@" -pl launcher -am package jib:buildTar -Poffline-image -DskipTests
[[ -s launcher/target/jib-image.tar ]] || { echo "build-offline-image: no launcher/target/jib-image.tar" >&2; exit 1; }
echo "build-offline-image: $(du -h launcher/target/jib-image.tar | cut -f1) launcher/target/jib-image.tar"
