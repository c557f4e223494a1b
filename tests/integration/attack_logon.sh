#!/usr/bin/env bash
# Password guessing and session abuse against smb3d as root (issue 14, items
# 5 and 7): tests/integration/attack_logon.py's checks, each one a result,
# then a clean shutdown with no sanitizer report.
# Usage: tests/integration/attack_logon.sh PATH/TO/smb3d
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(realpath "${1:-build/smb3d}")
[[ $(id -u) -eq 0 ]] || { echo "attack_logon.sh: needs root" >&2; record fail attack-logon:not-root; exit 0; }
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d /tmp/smb3d-attack-logon.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/share"
if ! start_root_server "$bin" "$work" Attack-Pass-1 $'\trestrict anonymous = 2' "[data]
	path = $work/share"; then
	record fail attack-logon:server-start
	exit 0
fi
out=$(cd "$here" && timeout 300 /usr/bin/python3 attack_logon.py "$port" smbtest Attack-Pass-1 2>&1)
while read -r verdict name detail; do
	case $verdict in
	PASS) record pass "attack-logon:$name" ;;
	FAIL) record fail "attack-logon:$name"; echo "    $detail" >&2 ;;
	esac
done <<<"$out"
grep -qE '^(PASS|FAIL) right-guess-waits-in-line' <<<"$out" || {
	record fail attack-logon:script-finished
	tail -20 <<<"$out" | sed 's/^/    | /' >&2
}
grep -E '^(PASS|FAIL)' <<<"$out" | sed 's/^/    /' >&2
if kill -0 "$pid" 2>/dev/null; then record pass attack-logon:server-alive; else record fail attack-logon:server-alive; fi
stop_server "$pid" "$work/server.log" attack-logon
exit 0
