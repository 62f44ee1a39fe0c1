#!/usr/bin/env bash
# Builds the pinned MinIO server the backend tests run against, once: the
# binary is cached in ${BABELGATE_CACHE:-$HOME/.cache/babelgate}/minio-bin
# with a stamp of its version, and rebuilt only when the pin changes.
# Prints the binary's path. (The cache and lock rules: lib.sh.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
cache="$babelgate_cache/minio-bin"

pinned minio "$MINIO_VERSION" "$cache" "$cache/minio" \
  "building github.com/minio/minio@$MINIO_VERSION (a few minutes)" \
  go_install "$cache" "github.com/minio/minio@$MINIO_VERSION"
