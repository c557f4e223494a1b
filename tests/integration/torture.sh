#!/usr/bin/env bash
# Runs the smbtorture suites in torture-suites.txt against smb3d (as root,
# with a Samba-selftest-like config) and compares each test's result with
# `knownfail`: a failure listed there counts as passed (expected), a listed
# test that passes counts as failed (remove it from the list), anything else
# failing fails. Usage: tests/integration/torture.sh PATH/TO/smb3d [SUITE...]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(realpath "${1:-build/smb3d}")
shift || true
if [[ $(id -u) -ne 0 ]]; then
	echo "torture.sh: needs root (smb3d maps users to Unix accounts)" >&2
	record fail torture:not-root
	exit 0
fi
if (($# > 0)); then suites=("$@"); else mapfile -t suites < <(grep -v '^\s*#' "$here/torture-suites.txt" | grep .); fi
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d /tmp/smb3d-torture.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
id smbtest >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest
id smbtest2 >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest2
port=$(free_port)
mkdir -p "$work/test" "$work/noperm" "$work/tmp" "$work/dosmode" "$work/hideunread"
chmod 777 "$work/test" "$work/tmp" "$work/dosmode" "$work/hideunread"
chmod 000 "$work/noperm"
cat >"$work/smb.conf" <<CONF
[global]
	smb ports = $port
	interfaces = 127.0.0.1
	bind interfaces only = yes
	passdb backend = smbpasswd:$work/smbpasswd
	server min protocol = SMB2_02
	server max protocol = SMB3_11
	log level = 1
	# smbtorture's test-only FSCTLs (smb2.read.bug14607, smb2.ioctl.bug14607)
	smb3d:torture fsctls = yes
	# smb2.lease.v2_request and v2_request_parent need directory leases
	smb2 directory leases = yes
[test]
	path = $work/test
	read only = no
[tmp]
	path = $work/tmp
	read only = no
[noperm]
	path = $work/noperm
	read only = no
[dosmode]
	path = $work/dosmode
	read only = no
	hide files = /hidefile/
	hide dot files = yes
# smb2.acls.ACCESSBASED: access-based enumeration (as Samba's selftest share)
[hideunread]
	path = $work/hideunread
	read only = no
	hide unreadable = yes
CONF
echo Test-Pass-123 | "$bin" user add --config "$work/smb.conf" smbtest >/dev/null
echo Test-Pass-456 | "$bin" user add --config "$work/smb.conf" smbtest2 >/dev/null
"$bin" --config "$work/smb.conf" >"$work/server.log" 2>&1 &
pid=$!
if ! wait_port "$port"; then
	record fail torture:server-start
	cat "$work/server.log" >&2
	exit 0
fi

declare -A known=()
while IFS= read -r line; do
	line=${line%%#*}
	line=$(echo "$line" | xargs)
	[[ -n $line ]] && known[$line]=1
done <"$here/knownfail"

for entry in "${suites[@]}"; do
	suite=${entry%@*} # "suite@share" runs against that share (default: test)
	share=test
	[[ $entry == *@* ]] && share=${entry#*@}
	out="$work/${suite//\//_}.subunit"
	target="//127.0.0.1/$share"
	[[ $share == ncacn_np ]] && target="ncacn_np:127.0.0.1" # DCE/RPC over named pipes on IPC$
	timeout 600 smbtorture "$target" -p "$port" -U smbtest%Test-Pass-123 --fullname --format=subunit \
		--option=torture:user2name=smbtest2 --option=torture:user2password=Test-Pass-456 \
		--option=torture:sharedelay=100000 --option=torture:acl_xattr_name=user.smb3d.ntacl "$suite" >"$out" 2>"$work/stderr" || true
	n_tests=0
	while IFS= read -r line; do
		case $line in
		success:* | successful:*) res=pass ;;
		failure:* | error:*) res=fail ;;
		skip:*) res=skip ;;
		*) continue ;;
		esac
		name=${line#*: }
		name=${name%% \[*}
		name=$(echo "$name" | xargs)
		n_tests=$((n_tests + 1))
		if [[ $res == skip ]]; then
			echo "  skip $name" >&2
			continue
		fi
		if [[ -n ${known[$name]:-} ]]; then
			if [[ $res == pass ]]; then record fail "torture:$name (unexpected pass: remove it from knownfail)"; else record pass "torture:$name (known failure)"; fi
		else
			record "$res" "torture:$name"
		fi
	done <"$out"
	if ((n_tests == 0)); then
		record fail "torture:$suite (no results)"
		tail -5 "$work/stderr" >&2
	fi
done
stop_server "$pid" "$work/server.log" torture-server
exit 0
