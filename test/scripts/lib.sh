# Sourced by the install-*.sh scripts: where their caches are, and how a
# pinned tool gets into one once. Every install script keeps the contract:
#   - stdout carries only the path (or directory) to use; all else goes to
#     stderr;
#   - a warm cache costs a check (a file read or two) and changes nothing;
#   - two runs at once install once: the second waits for the first's lock
#     on the cache directory, checks again, and finds the work done;
#   - nothing is ever deleted from a cache; a changed pin installs over it.
# The scripts run with `set -euo pipefail`, so a failed step ends them.

# The root of the caches: ~/.cache/babelgate unless $BABELGATE_CACHE says.
babelgate_cache="${BABELGATE_CACHE:-$HOME/.cache/babelgate}"

# say MESSAGE...: tells the user on stderr, prefixed with the script's name.
say() { echo "$(basename "$0" .sh): $*" >&2; }

# ensure DIR CHECK INSTALL: unless the command CHECK succeeds, runs INSTALL
# (its stdout sent to stderr) holding an exclusive lock on the directory
# DIR (the file DIR/.install.lock, created with DIR; the lock is held until
# the script exits), after checking again under the lock.
ensure() {
  local dir=$1 check=$2 install=$3
  "$check" && return 0
  mkdir -p "$dir"
  exec 9>"$dir/.install.lock"
  flock 9
  "$check" && return 0
  "$install" >&2
}

# pinned NAME VERSION DIR BIN WHAT COMMAND...: prints BIN once DIR holds
# NAME at VERSION: BIN is executable and the stamp DIR/NAME.version names
# VERSION. If not, it says WHAT it does and runs COMMAND... (via ensure),
# then writes the stamp, last, so that an interrupted install is redone.
pinned() {
  _pin_name=$1 _pin_version=$2 _pin_dir=$3 _pin_bin=$4 _pin_what=$5
  shift 5
  _pin_cmd=("$@")
  ensure "$_pin_dir" _pin_current _pin_install
  echo "$_pin_bin"
}

_pin_current() {
  [ -x "$_pin_bin" ] && [ "$(cat "$_pin_dir/$_pin_name.version" 2>/dev/null)" = "$_pin_version" ]
}

_pin_install() {
  local start
  start=$(date +%s)
  say "$_pin_what (once)"
  "${_pin_cmd[@]}"
  echo "$_pin_version" >"$_pin_dir/$_pin_name.version.new"
  mv -f "$_pin_dir/$_pin_name.version.new" "$_pin_dir/$_pin_name.version"
  say "done in $(($(date +%s) - start))s"
}

# go_install DIR PACKAGE@VERSION: builds a Go command into DIR, outside any
# module (from an empty directory), resolving its dependencies as its own
# go.mod pins them.
go_install() {
  local dir=$1 pkg=$2 tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && GOBIN="$dir" GOFLAGS=-mod=mod go install "$pkg")
  rmdir "$tmp"
}
