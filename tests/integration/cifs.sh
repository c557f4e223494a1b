#!/usr/bin/env bash
# The Linux kernel's SMB client (cifs.ko) against smb3d, through the harness
# in ../shared/cifs-vm/ (Debian's kernel booted in qemu; NOTES.md there): its
# 25-step workload plus tests/integration/cifs-guest.sh (file times, build
# order, no client errors), for vers=3.1.1, 3.1.1+seal, 3.0, 2.1 and
# 3.1.1+sign,mfsymlinks against `smb3d --config` as root (users mapped to
# Unix accounts), and vers=3.1.1 against `smb3d serve` as an ordinary user.
# Every STEP line is a result; a run that does not finish is a failure.
# Usage: tests/integration/cifs.sh PATH/TO/smb3d
# CIFSVM (env): the harness directory. Default: shared/cifs-vm beside the
# clone (where CI has it), else beside the repository it was cloned from
# (a scratch clone of a working copy that has shared/ beside it).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(realpath "${1:-build/smb3d}")
repo=$(cd "$here/../.." && pwd)
vm=${CIFSVM:-$(dirname "$repo")/shared/cifs-vm}
if [[ -z "${CIFSVM:-}" && ! -x "$vm/run-cifs-vm.sh" ]]; then
	origin=$(git -C "$repo" remote get-url origin 2>/dev/null || true)
	[[ -d "$origin" ]] && vm=$(dirname "$(cd "$origin" && pwd)")/shared/cifs-vm
fi
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [[ ! -x "$vm/run-cifs-vm.sh" ]]; then
	record fail "cifs:harness-present"
	echo "    the kernel-client harness (run-cifs-vm.sh) is not beside this clone or its origin;" \
		"put the project's shared/ folder beside the clone, or set CIFSVM=DIR" >&2
	exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
	record fail "cifs:needs-root"
	echo "    the kernel-client runs need root (qemu tools, a Unix account for root mode)" >&2
	exit 0
fi
echo "  kernel-client harness: $vm" >&2
work=$(mktemp -d /tmp/smb3d-cifs.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
id smbtest >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest

# run_vm NAME PORT USER PASS VERS [OPTS]: one harness run; each STEP is recorded
run_vm() {
	local name=$1 port=$2 user=$3 pass=$4 vers=$5 opts=${6:-}
	local out="$work/$name.out" rc=0
	echo "  -- kernel client: $name (vers=$vers${opts:+,$opts})" >&2
	CIFSVM_GUEST_SCRIPT="$here/cifs-guest.sh" \
		"$vm/run-cifs-vm.sh" "$port" test "$user" "$pass" "$vers" "$opts" >"$out" 2>"$work/$name.err" || rc=$?
	local steps=0
	while read -r _ step res detail; do
		steps=$((steps + 1))
		if [[ $res == ok ]]; then
			record pass "cifs:$name:$step"
		else
			record fail "cifs:$name:$step"
			echo "    $detail" >&2
		fi
	done < <(grep '^STEP ' "$out")
	grep -E '^(RESULT|TIMING)' "$out" | sed 's/^/    /' >&2
	if [[ $rc -eq 2 || $steps -eq 0 ]]; then
		record fail "cifs:$name:finished"
		echo "    the harness exited $rc; its output:" >&2
		tail -20 "$out" "$work/$name.err" | sed 's/^/    | /' >&2
	elif [[ $rc -ne 0 ]]; then
		grep -E '^  dmesg\|' "$out" | tail -15 | sed 's/^/    /' >&2
	fi
}

# --- root mode: smb3d --config, the user is a Unix account ------------------
mkdir -p "$work/share"
chown smbtest "$work/share"
if start_root_server "$bin" "$work" Cifs-Pass-123 $'\tlog level = 1' "[test]
	path = $work/share
	read only = no"; then
	record pass "cifs:root:start"
	run_vm 3.1.1 "$port" smbtest Cifs-Pass-123 3.1.1
	run_vm 3.1.1-seal "$port" smbtest Cifs-Pass-123 3.1.1 seal
	run_vm 3.0 "$port" smbtest Cifs-Pass-123 3.0
	run_vm 2.1 "$port" smbtest Cifs-Pass-123 2.1
	run_vm 3.1.1-sign-mfsymlinks "$port" smbtest Cifs-Pass-123 3.1.1 sign,mfsymlinks
else
	record fail "cifs:root:start"
fi
stop_server "$pid" "$work/server.log" cifs:root

# --- ordinary user: smb3d serve ----------------------------------------------
port=$(free_port)
mkdir -p "$work/served"
chown smbtest "$work/served"
# the checkout may sit in a directory only root can enter (mktemp -d)
install -m 0755 "$bin" "$work/smb3d-serve"
setpriv --reuid=smbtest --regid=smbtest --init-groups -- env SMB3D_PASSWORD=Serve-Pass-456 \
	ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" \
	"$work/smb3d-serve" serve "$work/served" --port "$port" --name test >"$work/serve.log" 2>&1 &
pid=$!
if wait_port "$port"; then
	record pass "cifs:serve:start"
	run_vm serve-3.1.1 "$port" smbtest Serve-Pass-456 3.1.1
else
	record fail "cifs:serve:start"
	cat "$work/serve.log" >&2
fi
stop_server "$pid" "$work/serve.log" cifs:serve
