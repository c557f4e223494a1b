#!/usr/bin/env bash
# smbclient sessions against smb3d: every dialect, signed and encrypted,
# logon failures, guest policy, share access, config reload, as root with
# `smb3d --config` (users mapped to Unix accounts) and as an ordinary user
# with `smb3d serve`. Usage: tests/integration/smbclient.sh PATH/TO/smb3d
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(realpath "${1:-build/smb3d}")
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d /tmp/smb3d-it.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
dialects=(SMB2_02 SMB2_10 SMB3_00 SMB3_02 SMB3_11)
sc() { timeout 20 smbclient "$@"; }

# --- root mode: smb3d --config, users are Unix accounts -------------------
if [[ $(id -u) -eq 0 ]]; then
	id smbtest >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest
	id smbtest2 >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest2
	port=$(free_port)
	mkdir -p "$work/share" "$work/guest" "$work/enc" "$work/only2"
	cat >"$work/smb.conf" <<CONF
[global]
	smb ports = $port
	interfaces = 127.0.0.1
	bind interfaces only = yes
	passdb backend = smbpasswd:$work/smbpasswd
	map to guest = bad user
	log level = 2
[test]
	path = $work/share
	read only = no
	comment = test share
[guest]
	path = $work/guest
	guest ok = yes
[enc]
	path = $work/enc
	server smb encrypt = required
[only2]
	path = $work/only2
	valid users = smbtest2
[missing]
	path = $work/does-not-exist
[hidden]
	path = $work/share
	browseable = no
	comment = not listed
CONF
	# check-config checks share paths too: the [missing] share fails it
	check_out "cli:check-config-missing-share-path" "share \\[missing\\]: path .* does not exist" \
		"$bin" check-config "$work/smb.conf"
	check_rc "cli:check-config-missing-share-path-exit" 1 "$bin" check-config "$work/smb.conf"
	sed '/^\[missing\]/,+1d' "$work/smb.conf" >"$work/good.conf"
	check_rc "cli:check-config" 0 "$bin" check-config "$work/good.conf"
	check_rc "cli:user-add" 0 sh -c "echo Test-Pass-123 | '$bin' user add --config '$work/smb.conf' smbtest"
	check_rc "cli:user-add2" 0 sh -c "echo Other-Pass-456 | '$bin' user add --config '$work/smb.conf' smbtest2"
	check_rc "cli:user-add-dup" 1 sh -c "echo x | '$bin' user add --config '$work/smb.conf' smbtest"
	check_out "cli:user-add-no-unix-account" "useradd|Unix account" sh -c \
		"echo x | '$bin' user add --config '$work/smb.conf' no-such-unix-user"
	check_rc "cli:user-add3" 0 sh -c "echo Dis-Pass-789 | '$bin' user add --config '$work/smb.conf' nobody"
	check_rc "cli:user-disable" 0 "$bin" user disable --config "$work/smb.conf" nobody
	check_out "cli:user-list" "smbtest" "$bin" user list --config "$work/smb.conf"
	if [[ "$(stat -c %a "$work/smbpasswd")" == 600 ]]; then record pass "cli:passdb-mode-0600"; else record fail "cli:passdb-mode-0600"; fi

	"$bin" --config "$work/smb.conf" >"$work/server.log" 2>&1 &
	pid=$!
	if wait_port "$port"; then record pass "root:start"; else record fail "root:start"; cat "$work/server.log" >&2; fi
	U="-U smbtest%Test-Pass-123"
	for m in "${dialects[@]}"; do
		check_out "root:$m:negotiate-anonymous" "Sharename|Anonymous login successful" \
			sc -L //127.0.0.1 -p "$port" -m "$m" -N
		check_rc "root:$m:logon" 0 sc //127.0.0.1/test -p "$port" -m "$m" $U -c exit
		check_rc "root:$m:signed" 0 sc //127.0.0.1/test -p "$port" -m "$m" $U --client-protection=sign -c exit
		if [[ $m == SMB3* ]]; then
			check_rc "root:$m:encrypted" 0 sc //127.0.0.1/test -p "$port" -m "$m" $U --client-protection=encrypt -c exit
			check_rc "root:$m:encrypted-share" 0 sc //127.0.0.1/enc -p "$port" -m "$m" $U -c exit
		else
			check_out "root:$m:encrypt-refused" "doesn't support|NT_STATUS" \
				sc //127.0.0.1/test -p "$port" -m "$m" $U --client-protection=encrypt -c exit
			check_out "root:$m:encrypted-share-refused" "NT_STATUS_ACCESS_DENIED" \
				sc //127.0.0.1/enc -p "$port" -m "$m" $U -c exit
		fi
		check_out "root:$m:wrong-password" "NT_STATUS_LOGON_FAILURE" \
			sc //127.0.0.1/test -p "$port" -m "$m" -U smbtest%wrong -c exit
	done
	check_rc "root:default-dialect" 0 sc //127.0.0.1/test -p "$port" $U -c exit
	# Share listing over DCE/RPC (srvsvc on IPC$): exactly the browseable
	# shares with their comments, for every dialect, signed and encrypted.
	want=$'Disk|enc|\nDisk|guest|\nDisk|missing|\nDisk|only2|\nDisk|test|test share\nIPC|IPC$|IPC Service (smb3d)'
	list_shares() { sc -g "$@" 2>/dev/null | grep -E '^(Disk|IPC)\|' | sort; }
	for m in "${dialects[@]}"; do
		modes=(sign)
		[[ $m == SMB3* ]] && modes+=(encrypt)
		for p in "${modes[@]}"; do
			got=$(list_shares -L //127.0.0.1 -p "$port" -m "$m" $U --client-protection="$p")
			if [[ $got == "$want" ]]; then record pass "root:$m:$p:share-list"; else
				record fail "root:$m:$p:share-list"
				diff <(echo "$want") <(echo "$got") | sed 's/^/    | /' >&2
			fi
		done
	done
	check_out "root:3.1.1-unsigned-tree-connect-disconnects" "^REFUSED" \
		/usr/bin/python3 "$here/unsigned_tcon.py" "$port" smbtest Test-Pass-123 test
	check_out "root:rpcclient-srvinfo" "platform_id[[:space:]]*:[[:space:]]*500" \
		timeout 20 rpcclient -p "$port" $U 127.0.0.1 -c srvinfo
	out=$(timeout 20 rpcclient -p "$port" $U 127.0.0.1 -c netshareenumall 2>&1)
	if grep -q 'netname: test' <<<"$out" && grep -q 'remark:	test share' <<<"$out" && ! grep -q hidden <<<"$out"; then
		record pass "root:rpcclient-netshareenumall"
	else
		record fail "root:rpcclient-netshareenumall"
		echo "$out" | tail -5 | sed 's/^/    | /' >&2
	fi
	check_out "root:rpcclient-netsharegetinfo-hidden" "remark:[[:space:]]*not listed" \
		timeout 20 rpcclient -p "$port" $U 127.0.0.1 -c "netsharegetinfo hidden"
	check_out "root:rpcclient-netsharegetinfo-unknown" "WERR_NERR_NETNAMENOTFOUND|NetNameNotFound|2310" \
		timeout 20 rpcclient -p "$port" $U 127.0.0.1 -c "netsharegetinfo nosuch"
	# an unknown user is mapped to guest (`map to guest = bad user`): only guest shares
	check_rc "root:unknown-user-guest-share" 0 sc //127.0.0.1/guest -p "$port" -U nosuch%x -c exit
	check_out "root:unknown-user-private-share" "NT_STATUS_ACCESS_DENIED" \
		sc //127.0.0.1/test -p "$port" -U nosuch%x -c exit
	check_out "root:disabled-user" "NT_STATUS_ACCOUNT_DISABLED" \
		sc //127.0.0.1/test -p "$port" -U nobody%Dis-Pass-789 -c exit
	check_out "root:not-in-valid-users" "NT_STATUS_ACCESS_DENIED" \
		sc //127.0.0.1/only2 -p "$port" $U -c exit
	check_rc "root:in-valid-users" 0 sc //127.0.0.1/only2 -p "$port" -U smbtest2%Other-Pass-456 -c exit
	check_rc "root:anonymous-guest-share" 0 sc //127.0.0.1/guest -p "$port" -N -c exit
	check_out "root:anonymous-private-share" "NT_STATUS_ACCESS_DENIED" sc //127.0.0.1/test -p "$port" -N -c exit
	check_out "root:unknown-share" "NT_STATUS_BAD_NETWORK_NAME" sc //127.0.0.1/nope -p "$port" $U -c exit
	check_out "root:missing-share-dir" "NT_STATUS_BAD_NETWORK_NAME" sc //127.0.0.1/missing -p "$port" $U -c exit
	# a password change takes effect without a restart
	check_rc "cli:user-passwd" 0 sh -c "echo New-Pass-000 | '$bin' user passwd --config '$work/smb.conf' smbtest"
	check_out "root:old-password-refused" "NT_STATUS_LOGON_FAILURE" \
		sc //127.0.0.1/test -p "$port" $U -c exit
	check_rc "root:new-password" 0 sc //127.0.0.1/test -p "$port" -U smbtest%New-Pass-000 -c exit
	# SIGHUP reload: a new share appears
	mkdir -p "$work/added"
	printf '[added]\n\tpath = %s\n' "$work/added" >>"$work/smb.conf"
	kill -HUP "$pid"
	sleep 0.3
	check_rc "root:reload-new-share" 0 sc //127.0.0.1/added -p "$port" -U smbtest%New-Pass-000 -c exit
	# garbage and SMB1-only clients are dropped without harming others
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 python3 -c "
import socket,sys; s=socket.create_connection(('127.0.0.1',$port)); s.sendall(sys.stdin.buffer.read()); s.settimeout(3); print(s.recv(10))" >/dev/null 2>&1
	check_rc "root:alive-after-garbage" 0 sc //127.0.0.1/test -p "$port" -U smbtest%New-Pass-000 -c exit
	check_out "root:smb1-only-client-refused" "NT_STATUS|failed" sc -L //127.0.0.1 -p "$port" -m NT1 -N
	stop_server "$pid" "$work/server.log" root
	# server-side policy: signing mandatory, then encryption required
	for mode in sign encrypt; do
		port=$(free_port)
		extra="server signing = mandatory"
		[[ $mode == encrypt ]] && extra="server smb encrypt = required"
		sed -e "s/smb ports = .*/smb ports = $port/" -e "s/map to guest = bad user/$extra/" \
			"$work/smb.conf" >"$work/$mode.conf"
		"$bin" --config "$work/$mode.conf" >"$work/$mode.log" 2>&1 &
		pid=$!
		wait_port "$port" || cat "$work/$mode.log" >&2
		for m in "${dialects[@]}"; do
			if [[ $mode == encrypt && $m == SMB2* ]]; then
				check_out "root:$mode-required:$m:refused" "NT_STATUS_ACCESS_DENIED" \
					sc //127.0.0.1/test -p "$port" -m "$m" -U smbtest%New-Pass-000 -c exit
			else
				check_rc "root:$mode-required:$m" 0 sc //127.0.0.1/test -p "$port" -m "$m" \
					-U smbtest%New-Pass-000 -c exit
			fi
		done
		stop_server "$pid" "$work/$mode.log" "root-$mode-required"
	done
	# `max connections`: a second client is refused while one is connected
	port=$(free_port)
	sed -e "s/smb ports = .*/smb ports = $port/" -e "s/map to guest = bad user/max connections = 1/" \
		"$work/smb.conf" >"$work/maxc.conf"
	"$bin" --config "$work/maxc.conf" >"$work/maxc.log" 2>&1 &
	pid=$!
	wait_port "$port" || cat "$work/maxc.log" >&2
	rm -f "$work/holding"
	python3 -c "import socket,time; s=socket.create_connection(('127.0.0.1',$port)); open('$work/holding','w').close(); time.sleep(4)" &
	holder=$!
	for _ in $(seq 1 100); do [[ -f "$work/holding" ]] && break; sleep 0.05; done
	sleep 0.3 # let the server accept it
	check_out "root:max-connections-refused" "NT_STATUS|failed|Connection" \
		sc //127.0.0.1/test -p "$port" -U smbtest%New-Pass-000 -c exit
	wait "$holder"
	sleep 0.3
	check_rc "root:max-connections-free-again" 0 sc //127.0.0.1/test -p "$port" -U smbtest%New-Pass-000 -c exit
	stop_server "$pid" "$work/maxc.log" root-max-connections
	check_out "cli:check-config-error" "bad.conf:3:.*smb ports" sh -c \
		"printf '[global]\n\tlog level = 1\n\tsmb ports = 99999\n' >'$work/bad.conf'; '$bin' check-config '$work/bad.conf'"
	check_out "cli:check-config-unknown-warning" "bad2.conf:2:.*unknown" sh -c \
		"printf '[global]\n\tfrobnicate = yes\n' >'$work/bad2.conf'; '$bin' check-config '$work/bad2.conf'"
	check_out "cli:start-fails-on-bad-config" "error" "$bin" --config "$work/bad.conf"
	# fail closed: a restriction smb3d does not implement refuses the file
	cat >"$work/narrow.conf" <<CONF
[global]
	smb ports = $(free_port)
[s]
	path = $work/share
	dont descend = /private
CONF
	check_rc "cli:check-config-unimplemented-restriction" 1 "$bin" check-config "$work/narrow.conf"
	check_out "cli:start-refused-unimplemented-restriction" "narrow.conf:5: 'dont descend' restricts access" \
		timeout 10 "$bin" --config "$work/narrow.conf"
fi

# --- ordinary user: smb3d serve ---------------------------------------------
run_as=()
if [[ $(id -u) -eq 0 ]]; then
	run_as=(setpriv --reuid=smbtest --regid=smbtest --init-groups --)
	# the checkout may sit in a directory only root can enter (mktemp -d)
	install -m 0755 "$bin" "$work/smb3d-serve"
	bin="$work/smb3d-serve"
fi
user=$("${run_as[@]}" id -un)
mkdir -p "$work/served"
chmod 777 "$work/served"
port=$(free_port)
SMB3D_PASSWORD=Serve-Pass-1 "${run_as[@]}" env SMB3D_PASSWORD=Serve-Pass-1 ASAN_OPTIONS="$ASAN_OPTIONS" \
	"$bin" serve "$work/served" --port "$port" --name data >"$work/serve.log" 2>&1 &
pid=$!
if wait_port "$port"; then record pass "serve:start"; else record fail "serve:start"; cat "$work/serve.log" >&2; fi
# the port accepts before the text is printed (the server listens first)
for _ in $(seq 1 100); do
	grep -q "smbclient //127.0.0.1/data -p $port" "$work/serve.log" && break
	sleep 0.05
done
check_out "serve:prints-how-to-connect" "smbclient //127.0.0.1/data -p $port" cat "$work/serve.log"
for m in "${dialects[@]}"; do
	check_rc "serve:$m:logon" 0 sc //127.0.0.1/data -p "$port" -m "$m" -U "$user%Serve-Pass-1" -c exit
done
check_rc "serve:encrypted" 0 sc //127.0.0.1/data -p "$port" -U "$user%Serve-Pass-1" --client-protection=encrypt -c exit
check_out "serve:share-list" "^Disk\|data\|" sc -g -L //127.0.0.1 -p "$port" -U "$user%Serve-Pass-1"
check_out "serve:wrong-password" "NT_STATUS_LOGON_FAILURE" sc //127.0.0.1/data -p "$port" -U "$user%nope" -c exit
check_out "serve:no-guest" "NT_STATUS_ACCESS_DENIED|NT_STATUS_LOGON_FAILURE" sc //127.0.0.1/data -p "$port" -N -c exit
stop_server "$pid" "$work/serve.log" serve

port=$(free_port)
"${run_as[@]}" env ASAN_OPTIONS="$ASAN_OPTIONS" "$bin" serve "$work/served" --port "$port" --guest --read-only \
	>"$work/serve2.log" 2>&1 &
pid=$!
wait_port "$port" || cat "$work/serve2.log" >&2
check_rc "serve:guest" 0 sc //127.0.0.1/served -p "$port" -N -c exit
stop_server "$pid" "$work/serve2.log" serve-guest
check_out "serve:missing-dir" "cannot use" "$bin" serve "$work/nope" --port "$port"
exit 0
