#!/usr/bin/env bash
# Hostile clients against the smb3d binary given as $1 (issue 14, items 2,
# 3, 4, 6), scaled down but past the limits: half-done logons that never
# finish, 8 MiB frames before a logon, SESSION_SETUP floods on one
# connection, one session opening a file and queuing CHANGE_NOTIFYs without
# end, and a connection flood once descriptors run out. Each is refused or
# bounded, another client is served within a second meanwhile, memory and
# descriptors stay within the limits of docs/security.md, and the server
# shuts down cleanly. The attacks are in attack_limits.py (raw SMB2 and
# impacket). Usage: tests/integration/attack_limits.sh PATH/TO/smb3d
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(realpath "${1:-build/smb3d}")
if [[ $(id -u) -ne 0 ]]; then
	echo "attack_limits.sh: needs root (smb3d maps users to Unix accounts)" >&2
	record fail attack:not-root
	exit 0
fi
if ! /usr/bin/python3 -c 'import impacket' 2>/dev/null; then
	record fail "attack:needs python3-impacket"
	exit 0
fi
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d /tmp/smb3d-attack.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
id smbtest >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest
mkdir -p "$work/share"
chmod 777 "$work/share"
logon_timeout=3
max_open=100
max_async=50

# start_server NAME NOFILE: a server with its own config and descriptor limit
start_server() {
	local name=$1 nofile=$2
	port=$(free_port)
	cat >"$work/$name.conf" <<CONF
[global]
	smb ports = $port
	interfaces = 127.0.0.1
	bind interfaces only = yes
	passdb backend = smbpasswd:$work/smbpasswd
	log level = 1
	smb3d:logon timeout = $logon_timeout
	max open files = $max_open
	smb3d:max async requests = $max_async
[test]
	path = $work/share
	read only = no
CONF
	[[ -f $work/smbpasswd ]] || echo Test-Pass-123 | "$bin" user add --config "$work/$name.conf" smbtest >/dev/null
	(ulimit -n "$nofile" && exec "$bin" --config "$work/$name.conf") >"$work/$name.log" 2>&1 &
	pid=$!
	if wait_port "$port"; then record pass "attack:$name:start"; else
		record fail "attack:$name:start"
		cat "$work/$name.log" >&2
		return 1
	fi
}

# attack PHASE ARGS...: runs one phase of attack_limits.py and records its lines
attack() {
	local phase=$1
	shift
	local out
	out=$(timeout 120 /usr/bin/python3 "$here/attack_limits.py" "$phase" 127.0.0.1 "$port" test smbtest Test-Pass-123 \
		"$pid" "$@" 2>&1)
	while IFS= read -r line; do
		case $line in
		pass\ *) record pass "attack:${line#pass }" ;;
		fail\ *) record fail "attack:${line#fail }" ;;
		figures\ *) echo "    $line" >&2 ;;
		esac
	done <<<"$out"
	grep -q '^pass \|^fail ' <<<"$out" || { record fail "attack:$phase (no results)"; echo "$out" | tail -5 >&2; }
}

# With 1024 descriptors: the budget (src/server/limits.c) is 1024 - (64 +
# 1024/16) = 896, a quarter of it (224) for connections without a logon.
if start_server main 1024; then
	attack halfauth 400 "$logon_timeout" 224
	attack bigframe 60
	attack sessions 400 8
	attack opens 150 "$max_open" 80 "$max_async"
	stop_server "$pid" "$work/main.log" attack-main
fi
# With 128 descriptors, logged-on connections run the server out of them
# (all but its reserve of 64 + 128/16), then a connection flood.
if start_server fdflood 128; then
	attack fdflood 150 300 128
	stop_server "$pid" "$work/fdflood.log" attack-fdflood
fi
exit 0
