# Shared helpers for the integration scripts (sourced, not run).
# Results go to $SMB3D_RESULTS ("pass NAME" / "fail NAME" lines) when set.

record() {
	[[ -n "${SMB3D_RESULTS:-}" ]] && echo "$1 $2" >>"$SMB3D_RESULTS"
	if [[ $1 == pass ]]; then echo "  ok   $2" >&2; else echo "  FAIL $2" >&2; fi
}

# check NAME EXPECTED_RC CMD... : passes when CMD exits with EXPECTED_RC
check_rc() {
	local name=$1 want=$2
	shift 2
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	if [[ $rc -eq $want ]]; then record pass "$name"; else
		record fail "$name"
		echo "    (exit $rc, wanted $want) $*" >&2
		echo "$out" | tail -5 | sed 's/^/    | /' >&2
	fi
}

# check_out NAME REGEX CMD... : passes when the output of CMD matches REGEX
check_out() {
	local name=$1 re=$2
	shift 2
	local out
	out=$("$@" 2>&1)
	if grep -Eq -- "$re" <<<"$out"; then record pass "$name"; else
		record fail "$name"
		echo "    (output does not match /$re/) $*" >&2
		echo "$out" | tail -5 | sed 's/^/    | /' >&2
	fi
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {
	local port=$1
	for _ in $(seq 1 100); do
		(echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# stop_server PID LOG NAME: SIGTERM, expect a clean exit and no sanitizer report.
stop_server() {
	local pid=$1 log=$2 name=$3
	kill -TERM "$pid" 2>/dev/null
	local rc=0
	wait "$pid" || rc=$?
	if [[ $rc -eq 0 ]] && ! grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$log"; then
		record pass "$name:clean-shutdown"
	else
		record fail "$name:clean-shutdown"
		echo "    exit $rc; log tail:" >&2
		tail -30 "$log" | sed 's/^/    | /' >&2
	fi
}

# start_root_server BIN WORK PASSWORD GLOBAL_LINES SHARE_SECTIONS: as root,
# writes WORK/smb.conf (a free port on 127.0.0.1, an smbpasswd in WORK, then
# GLOBAL_LINES in [global] and the SHARE_SECTIONS text), makes the Unix
# account smbtest (with PASSWORD in that passdb), and starts `BIN --config`
# logging to WORK/server.log. Sets $port and $pid; false if it never listens
# (the log is printed).
start_root_server() {
	local bin=$1 work=$2 pass=$3 global=$4 shares=$5
	id smbtest >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest
	port=$(free_port)
	printf '[global]\n\tsmb ports = %s\n\tinterfaces = 127.0.0.1\n\tbind interfaces only = yes\n\tpassdb backend = smbpasswd:%s/smbpasswd\n%s\n%s\n' \
		"$port" "$work" "$global" "$shares" >"$work/smb.conf"
	# (a second server in the same WORK finds the user there already)
	echo "$pass" | "$bin" user add --config "$work/smb.conf" smbtest >/dev/null 2>&1 || true
	"$bin" --config "$work/smb.conf" >"$work/server.log" 2>&1 &
	pid=$!
	wait_port "$port" && return 0
	cat "$work/server.log" >&2
	return 1
}
