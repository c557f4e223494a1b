#!/usr/bin/env bash
# Hostile clients against parked requests (issue 14, item 1): attack_park.py
# sends bursts of CHANGE_NOTIFY, blocking LOCKs (conflicting with a lock
# another connection holds), CREATEs waiting for an oplock break and the
# async-sleep test IOCTL, each burst as one write followed by a reset
# (SO_LINGER 0), many times; the server must survive every round, serve a
# new client within a second, and shut down cleanly with no sanitizer
# report (run it against the ASan build). As root: users are Unix accounts.
# Usage: tests/integration/attack_park.sh PATH/TO/smb3d [ROUNDS]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(realpath "${1:-build/smb3d}")
rounds=${2:-30}
[[ $(id -u) -eq 0 ]] || { echo "attack_park.sh: needs root" >&2; record fail attack-park:not-root; exit 0; }
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d /tmp/smb3d-attack-park.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
id smbtest >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest
port=$(free_port)
mkdir -p "$work/share"
chown smbtest "$work/share"
cat >"$work/smb.conf" <<CONF
[global]
	smb ports = $port
	interfaces = 127.0.0.1
	bind interfaces only = yes
	passdb backend = smbpasswd:$work/smbpasswd
	server signing = auto
	smb3d:torture fsctls = yes
[data]
	path = $work/share
	read only = no
CONF
echo Attack-Pass-1 | "$bin" user add --config "$work/smb.conf" smbtest >/dev/null
"$bin" --config "$work/smb.conf" >"$work/server.log" 2>&1 &
pid=$!
if ! wait_port "$port"; then
	record fail attack-park:server-start
	cat "$work/server.log" >&2
	exit 0
fi
check_out attack-park:survives-bursts-and-resets '^attack_park: ok' \
	timeout 300 /usr/bin/python3 "$here/attack_park.py" 127.0.0.1 "$port" data smbtest Attack-Pass-1 "$rounds"
if kill -0 "$pid" 2>/dev/null; then record pass attack-park:server-alive; else record fail attack-park:server-alive; fi
stop_server "$pid" "$work/server.log" attack-park-server
exit 0
