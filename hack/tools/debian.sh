#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are missing,
# so that a fresh machine (CI's) needs nothing installed by hand.
#
#   hack/tools/debian.sh containerd runc ...
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "installing from Debian: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
  { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }
