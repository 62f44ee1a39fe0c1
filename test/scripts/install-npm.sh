#!/usr/bin/env bash
# Installs the npm clients the end-to-end suite drives, pinned, into a cache
# directory that later runs reuse: ali-oss (Alibaba's OSS SDK for Node.js,
# whose engines field accepts Node >= 8, so Debian's Node 20 runs it) and
# playwright-core (the browser driver without any browser download: its
# engines field accepts Node >= 18; it drives Debian's /usr/bin/chromium).
# Prints the node_modules directory. A warm cache costs reading the
# packages' versions. (The cache and lock rules: lib.sh.)
#
#   BABELGATE_NPM_DIR   where to install (default ~/.cache/babelgate/npm)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir="${BABELGATE_NPM_DIR:-$HOME/.cache/babelgate/npm}"
declare -A pins=(
  [ali-oss]="6.23.0"
  [playwright-core]="1.49.1"
)

# all_pinned succeeds when every package is installed at its pin, and
# leaves those that are not in missing.
all_pinned() {
  missing=()
  local pkg have
  for pkg in "${!pins[@]}"; do
    have=$(node -p "require('$dir/node_modules/$pkg/package.json').version" 2>/dev/null || true)
    if [ "$have" != "${pins[$pkg]}" ]; then
      missing+=("$pkg@${pins[$pkg]}")
    fi
  done
  [ ${#missing[@]} -eq 0 ]
}

install_missing() {
  say "installing ${missing[*]} into $dir"
  [ -f "$dir/package.json" ] || echo '{"name":"babelgate-e2e-clients","private":true}' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --save-exact --loglevel=error "${missing[@]}"
}

ensure "$dir" all_pinned install_missing
echo "$dir/node_modules"
