#!/usr/bin/env bash
# Builds the pinned versitygw the benchmark (test/bench) compares babelgate
# with, once: the binary is cached in
# ${BABELGATE_CACHE:-$HOME/.cache/babelgate}/versitygw-bin with a stamp of
# its version, and rebuilt only when the pin changes. Prints the binary's path.
set -euo pipefail

VERSITYGW_VERSION="v1.8.0"
cache="${BABELGATE_CACHE:-$HOME/.cache/babelgate}/versitygw-bin"
bin="$cache/versitygw"
stamp="$cache/versitygw.version"

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$VERSITYGW_VERSION" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$cache"
echo "install-versitygw: building github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION (a few minutes, once)" >&2
start=$(date +%s)
(cd "$(mktemp -d)" && GOBIN="$cache" GOFLAGS=-mod=mod go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION") >&2
echo "$VERSITYGW_VERSION" > "$stamp"
echo "install-versitygw: built in $(( $(date +%s) - start ))s" >&2
echo "$bin"
