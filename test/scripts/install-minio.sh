#!/usr/bin/env bash
# Builds the pinned MinIO server the backend tests run against, once: the
# binary is cached in ${BABELGATE_CACHE:-$HOME/.cache/babelgate}/minio-bin
# with a stamp of its version, and rebuilt only when the pin changes.
# Prints the binary's path.
set -euo pipefail

MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
cache="${BABELGATE_CACHE:-$HOME/.cache/babelgate}/minio-bin"
bin="$cache/minio"
stamp="$cache/minio.version"

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$MINIO_VERSION" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$cache"
echo "install-minio: building github.com/minio/minio@$MINIO_VERSION (a few minutes, once)" >&2
start=$(date +%s)
(cd "$(mktemp -d)" && GOBIN="$cache" GOFLAGS=-mod=mod go install "github.com/minio/minio@$MINIO_VERSION") >&2
echo "$MINIO_VERSION" > "$stamp"
echo "install-minio: built in $(( $(date +%s) - start ))s" >&2
echo "$bin"
