#!/usr/bin/env bash
# Installs the npm clients the end-to-end suite drives, pinned, into a cache
# directory that later runs reuse: ali-oss (Alibaba's OSS SDK for Node.js,
# whose engines field accepts Node >= 8, so Debian's Node 20 runs it) and
# playwright-core (the browser driver without any browser download: its
# engines field accepts Node >= 18; it drives Debian's /usr/bin/chromium).
# Prints the node_modules directory. A warm cache costs one file read.
#
#   BABELGATE_NPM_DIR   where to install (default ~/.cache/babelgate/npm)
set -euo pipefail

dir="${BABELGATE_NPM_DIR:-$HOME/.cache/babelgate/npm}"
declare -A pins=(
  [ali-oss]="6.23.0"
  [playwright-core]="1.49.1"
)

missing=()
for pkg in "${!pins[@]}"; do
  have=$(node -p "require('$dir/node_modules/$pkg/package.json').version" 2>/dev/null || true)
  if [ "$have" != "${pins[$pkg]}" ]; then
    missing+=("$pkg@${pins[$pkg]}")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-npm: installing ${missing[*]} into $dir" >&2
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"name":"babelgate-e2e-clients","private":true}' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --save-exact --loglevel=error "${missing[@]}" >&2
fi
echo "$dir/node_modules"
