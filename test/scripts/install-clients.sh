#!/usr/bin/env bash
# Installs the real S3 clients the end-to-end suite drives, from Debian's
# packages, pinned, when they are missing: the aws CLI (awscli) and boto3
# (python3-boto3) for Debian's python3, and Debian's chromium, the real
# browser the browser-upload test drives headless (never a downloaded one). Already-installed packages at the
# pinned versions are left alone, so a warm machine pays nothing.
set -euo pipefail

declare -A pins=(
  [awscli]="2.9.19-1"
  [python3-boto3]="1.26.27+dfsg-1"
  [chromium]="156.0.8078.114-1~deb12u1"
)

missing=()
for pkg in "${!pins[@]}"; do
  have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
  if [ "$have" != "${pins[$pkg]}" ]; then
    missing+=("$pkg=${pins[$pkg]}")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-clients: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
