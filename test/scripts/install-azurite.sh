#!/usr/bin/env bash
# Installs the pinned Azurite (Microsoft's Azure Storage emulator, from npm)
# the azure backend's tests run against, once: it is cached in
# ${BABELGATE_CACHE:-$HOME/.cache/babelgate}/azurite with a stamp of its
# version, and reinstalled only when the pin changes. Prints the path of the
# azurite-blob binary. (The cache and lock rules: lib.sh.)
#
# 3.35.0 is the newest release whose package.json engines accept Node 20
# (3.36.0 needs Node >= 21, 3.37.0 Node >= 22: `npm view azurite@X engines`).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

AZURITE_VERSION="3.35.0"
cache="$babelgate_cache/azurite"

pinned azurite "$AZURITE_VERSION" "$cache" "$cache/node_modules/.bin/azurite-blob" \
  "npm install azurite@$AZURITE_VERSION" \
  npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION"
