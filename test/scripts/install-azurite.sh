#!/usr/bin/env bash
# Installs the pinned Azurite (Microsoft's Azure Storage emulator, from npm)
# the azure backend's tests run against, once: it is cached in
# ${BABELGATE_CACHE:-$HOME/.cache/babelgate}/azurite with a stamp of its
# version, and reinstalled only when the pin changes. Prints the path of the
# azurite-blob binary.
#
# 3.35.0 is the newest release whose package.json engines accept Node 20
# (3.36.0 needs Node >= 21, 3.37.0 Node >= 22: `npm view azurite@X engines`).
set -euo pipefail

AZURITE_VERSION="3.35.0"
cache="${BABELGATE_CACHE:-$HOME/.cache/babelgate}/azurite"
bin="$cache/node_modules/.bin/azurite-blob"
stamp="$cache/azurite.version"

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$AZURITE_VERSION" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$cache"
echo "install-azurite: npm install azurite@$AZURITE_VERSION (once)" >&2
npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >&2
echo "$AZURITE_VERSION" > "$stamp"
echo "$bin"
