#!/usr/bin/env bash
# The access parameters a Samba admin relies on, enforced through smbclient
# (as root, users mapped to Unix accounts): `hosts allow`/`hosts deny` per
# share (with EXCEPT) and in [global] (the connection is refused),
# `available = no`, `read list`, `write list`, `create mask`, `directory
# mask`, `force create mode`, `force directory mode`, `veto files`, `force
# user`, `force group`, `admin users`.
# Usage: tests/integration/access.sh PATH/TO/smb3d
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(realpath "${1:-build/smb3d}")
[[ $(id -u) -eq 0 ]] || { echo "access.sh: needs root" >&2; record fail access:not-root; exit 0; }
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d /tmp/smb3d-access.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
id smbtest >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest
id smbtest2 >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest2
getent group smb3dforced >/dev/null || groupadd smb3dforced
sc() { timeout 20 smbclient "$@"; }
for d in denied except off rl wl open modes veto forced; do
	mkdir -p "$work/$d"
	chown smbtest "$work/$d"
done
chown smbtest2 "$work/forced" # writable for the forced user only
chmod 755 "$work/forced"
mkdir -p "$work/admin" # root's: writable for admin users only
chmod 755 "$work/admin"
echo data >"$work/up.txt"
shares="[denied]
	path = $work/denied
	read only = no
	hosts allow = 10.9.9.9
[except]
	path = $work/except
	hosts allow = 127.0.0.0/8 EXCEPT 127.0.0.1
[off]
	path = $work/off
	available = no
[rl]
	path = $work/rl
	read only = no
	read list = smbtest
[wl]
	path = $work/wl
	read only = yes
	write list = nobody, smbtest
[open]
	path = $work/open
	read only = no
[modes]
	path = $work/modes
	read only = no
	create mask = 0600
	force create mode = 0060
	directory mask = 0700
	force directory mode = 0050
[veto]
	path = $work/veto
	read only = no
	veto files = /*.secret/tmp*/
[forced]
	path = $work/forced
	read only = no
	force user = smbtest2
	force group = smb3dforced
[admin]
	path = $work/admin
	read only = no
	admin users = smbtest"
if ! start_root_server "$bin" "$work" Access-Pass-1 "" "$shares"; then
	record fail access:server-start
	exit 0
fi
U=(-U smbtest%Access-Pass-1)
check_out access:hosts-allow-other-address "NT_STATUS_ACCESS_DENIED" sc //127.0.0.1/denied -p "$port" "${U[@]}" -c ls
check_out access:hosts-allow-except "NT_STATUS_ACCESS_DENIED" sc //127.0.0.1/except -p "$port" "${U[@]}" -c ls
check_out access:available-no "NT_STATUS_BAD_NETWORK_NAME" sc //127.0.0.1/off -p "$port" "${U[@]}" -c ls
listing=$(sc -L //127.0.0.1 -p "$port" "${U[@]}" 2>&1)
if grep -qw open <<<"$listing" && ! grep -qw off <<<"$listing"; then
	record pass access:available-no-not-listed
else
	record fail access:available-no-not-listed
	sed 's/^/    | /' <<<"$listing" >&2
fi
check_out access:read-list-refuses-writes "NT_STATUS_ACCESS_DENIED" \
	sc //127.0.0.1/rl -p "$port" "${U[@]}" -c "put $work/up.txt up.txt"
[[ ! -e "$work/rl/up.txt" ]] && record pass access:read-list-nothing-written || record fail access:read-list-nothing-written
check_rc access:write-list-allows-writes 0 sc //127.0.0.1/wl -p "$port" "${U[@]}" -c "put $work/up.txt up.txt"
[[ -f "$work/wl/up.txt" ]] && record pass access:write-list-file-on-disk || record fail access:write-list-file-on-disk
check_rc access:other-shares-unaffected 0 sc //127.0.0.1/open -p "$port" "${U[@]}" -c "put $work/up.txt up.txt"
# (0666 & 0600) | 0060 and (0777 & 0700) | 0050, whatever the umask
check_rc access:modes-create 0 sc //127.0.0.1/modes -p "$port" "${U[@]}" -c "put $work/up.txt f.txt; mkdir d"
m=$(stat -c %a "$work/modes/f.txt" 2>/dev/null)
[[ $m == 660 ]] && record pass access:create-mask-on-disk || { record fail access:create-mask-on-disk; echo "    mode $m, want 660" >&2; }
m=$(stat -c %a "$work/modes/d" 2>/dev/null)
[[ $m == 750 ]] && record pass access:directory-mask-on-disk || { record fail access:directory-mask-on-disk; echo "    mode $m, want 750" >&2; }
# veto files: invisible, and neither opened, created nor renamed to
echo hidden >"$work/veto/old.secret"
mkdir -p "$work/veto/tmpdir"
echo in >"$work/veto/tmpdir/inner.txt"
echo ok >"$work/veto/plain.txt"
listing=$(sc //127.0.0.1/veto -p "$port" "${U[@]}" -c ls 2>&1)
if grep -q plain.txt <<<"$listing" && ! grep -qE 'old\.secret|tmpdir' <<<"$listing"; then
	record pass access:veto-not-listed
else
	record fail access:veto-not-listed
	sed 's/^/    | /' <<<"$listing" >&2
fi
check_out access:veto-not-opened "NT_STATUS_OBJECT_NAME_NOT_FOUND" \
	sc //127.0.0.1/veto -p "$port" "${U[@]}" -c "get old.secret $work/got.secret"
check_out access:veto-path-not-opened "NT_STATUS_OBJECT_PATH_NOT_FOUND" \
	sc //127.0.0.1/veto -p "$port" "${U[@]}" -c "get tmpdir/inner.txt $work/got.txt"
check_out access:veto-not-created "NT_STATUS_OBJECT_NAME_NOT_FOUND" \
	sc //127.0.0.1/veto -p "$port" "${U[@]}" -c "put $work/up.txt x.secret"
check_out access:veto-not-renamed-to "NT_STATUS_OBJECT_NAME_NOT_FOUND" \
	sc //127.0.0.1/veto -p "$port" "${U[@]}" -c "rename plain.txt plain.secret"
if [[ ! -e "$work/veto/x.secret" && ! -e "$work/veto/plain.secret" && -e "$work/veto/plain.txt" ]]; then
	record pass access:veto-nothing-written
else
	record fail access:veto-nothing-written
fi
# force user / force group: smbtest writes where only smbtest2 may, and the
# new file belongs to smbtest2:smb3dforced
check_rc access:force-user-writes 0 sc //127.0.0.1/forced -p "$port" "${U[@]}" -c "put $work/up.txt f.txt; mkdir d"
o=$(stat -c %U:%G "$work/forced/f.txt" 2>/dev/null)
[[ $o == smbtest2:smb3dforced ]] && record pass access:force-user-owns-files ||
	{ record fail access:force-user-owns-files; echo "    owner $o" >&2; }
o=$(stat -c %U:%G "$work/forced/d" 2>/dev/null)
[[ $o == smbtest2:smb3dforced ]] && record pass access:force-user-owns-dirs ||
	{ record fail access:force-user-owns-dirs; echo "    owner $o" >&2; }
check_rc access:admin-user-writes-as-root 0 sc //127.0.0.1/admin -p "$port" "${U[@]}" -c "put $work/up.txt a.txt"
o=$(stat -c %U "$work/admin/a.txt" 2>/dev/null)
[[ $o == root ]] && record pass access:admin-user-file-is-roots || { record fail access:admin-user-file-is-roots; echo "    owner $o" >&2; }
stop_server "$pid" "$work/server.log" access
printf '[global]\n[f]\n\tpath = %s\n\tforce user = no-such-user-here\n' "$work/forced" >"$work/nouser.conf"
check_out access:force-user-unknown-refused "no such Unix" "$bin" check-config "$work/nouser.conf"

# [global] hosts allow: a connection from elsewhere is closed before any SMB
mkdir -p "$work/g"
if ! start_root_server "$bin" "$work" Access-Pass-1 $'\thosts allow = 127.0.0.2' "[g]
	path = $work/g"; then
	record fail access:global-server-start
	exit 0
fi
check_out access:global-hosts-allow-refuses "NT_STATUS_(CONNECTION|IO|INVALID_NETWORK|END_OF_FILE)|Connection reset|failed" \
	sc //127.0.0.1/g -p "$port" "${U[@]}" -c ls
check_out access:global-hosts-allow-admits "^NEGOTIATED" /usr/bin/python3 -c "
import sys; sys.path.insert(0, '$here')
from rawsmb import Conn
c = Conn($port, src='127.0.0.2'); c.negotiate(); print('NEGOTIATED')"
stop_server "$pid" "$work/server.log" access-global
exit 0
