#!/usr/bin/env bash
# Installs what is missing, builds smb3d (release, in build-release/, apart
# from the test builds), and serves a folder:
#   scripts/serve.sh DIR [smb3d serve options]
# DIR is taken relative to the directory you run this from.
set -euo pipefail
dir="${1:-}"
if [[ -z "$dir" ]]; then
	echo "usage: scripts/serve.sh DIR [--port N] [--bind ADDR] [--read-only] ..." >&2
	exit 2
fi
shift
[[ -d "$dir" ]] || { echo "serve.sh: '$dir' is not a directory; create it (mkdir -p '$dir') or give the folder to share" >&2; exit 2; }
dir=$(cd "$dir" && pwd)
cd "$(dirname "$0")/.."
scripts/deps.sh build
log=$(mktemp /tmp/smb3d-serve-build.XXXXXX)
if [[ ! -f build-release/build.ninja ]]; then
	echo "serve.sh: configuring a release build in build-release/ ..." >&2
	meson setup build-release --buildtype=release -Dtests=false >"$log" 2>&1 ||
		{ cat "$log" >&2; echo "serve.sh: meson setup failed (output above)" >&2; exit 1; }
fi
echo "serve.sh: building smb3d (the first build takes about half a minute) ..." >&2
ninja -C build-release smb3d >"$log" 2>&1 || { cat "$log" >&2; echo "serve.sh: the build failed (output above)" >&2; exit 1; }
rm -f "$log"
exec build-release/smb3d serve "$dir" "$@"
