#!/usr/bin/env bash
# Break waits never block an event loop: break_wait.py holds a lease
# without acknowledging its break while another client's open waits for
# the break timeout, and checks that other connections are served at once
# meanwhile (as root: users are Unix accounts). The server keeps its real
# 35-second break timeout ([MS-SMB2] 3.3.6.5), so the lease is held
# unacknowledged for all of it.
# Usage: tests/integration/breaks.sh PATH/TO/smb3d
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(realpath "${1:-build/smb3d}")
[[ $(id -u) -eq 0 ]] || { echo "breaks.sh: needs root" >&2; record fail breaks:not-root; exit 0; }
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d /tmp/smb3d-breaks.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
id smbtest >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest
mkdir -p "$work/share"
chown smbtest "$work/share"
if ! start_root_server "$bin" "$work" Breaks-Pass-1 "" "[data]
	path = $work/share
	read only = no"; then
	record fail breaks:server-start
	exit 0
fi
check_out breaks:unacknowledged-lease-blocks-no-loop '^B waited' \
	timeout 120 /usr/bin/python3 "$here/break_wait.py" 127.0.0.1 "$port" data smbtest Breaks-Pass-1 35000
stop_server "$pid" "$work/server.log" breaks-server
exit 0
