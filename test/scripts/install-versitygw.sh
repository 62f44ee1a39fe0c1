#!/usr/bin/env bash
# Builds the pinned versitygw the s3 driver's conformance suite and the
# benchmark (test/bench) run against, once: the binary is cached in
# ${BABELGATE_CACHE:-$HOME/.cache/babelgate}/versitygw-bin with a stamp of
# its version, and rebuilt only when the pin changes. Prints the binary's
# path. (The cache and lock rules: lib.sh.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VERSITYGW_VERSION="v1.8.0"
cache="$babelgate_cache/versitygw-bin"

pinned versitygw "$VERSITYGW_VERSION" "$cache" "$cache/versitygw" \
  "building github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION (a few minutes)" \
  go_install "$cache" "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
