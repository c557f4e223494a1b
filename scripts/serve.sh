#!/usr/bin/env bash
# Installs what is missing, builds smb3d, and serves a folder:
#   scripts/serve.sh DIR [smb3d serve options]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
[[ -f build/build.ninja ]] || meson setup build --buildtype=release -Dtests=false >/dev/null
ninja -C build smb3d >/dev/null
dir="${1:-}"
if [[ -z "$dir" ]]; then
	echo "usage: scripts/serve.sh DIR [--port N] [--bind ADDR] [--read-only] ..." >&2
	exit 2
fi
shift
exec build/smb3d serve "$dir" "$@"
