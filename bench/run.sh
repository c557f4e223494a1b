#!/usr/bin/env bash
# smb3d against Samba's smbd on this machine, side by side: installs what is
# missing, builds smb3d (release) and bench/smbload, serves one scratch
# directory from both servers on loopback ports 4470 (smb3d) and 4471 (smbd),
# drives both with smbload in alternating runs and prints one line per figure:
#   name smb3d samba ratio unit        (ratio = smb3d/samba; unit says hi/lo is better)
# Medians of --runs runs (default 5; 3 with --quick). See docs/performance.md.
#
#   bench/run.sh [--quick] [--only REGEX] [--runs N] [--size SIZE] [--out FILE] [--keep]
#
# Runs as root (servers run as root; files are accessed as the Unix user
# smb3dbench, created if missing) or as an ordinary user (servers run as you).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

usage() {
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
	cat <<'EOF'

Options:
  --quick        small sizes and 3 runs (a smoke test, about 2 minutes)
  --only REGEX   only the workloads whose name matches (e.g. 'seq_read|list')
                 workloads: limits startup seq_{read,write}_d{1,16}_{plain,sign,aes128gcm,aes256gcm}
                 rand_read_d{1,32} create stat list_small list_big sessions
  --runs N       runs per figure and server (median reported)
  --size SIZE    size of the sequential-I/O file (default 1G; --quick 64M)
  --out FILE     also write the result lines to FILE
  --keep         keep the scratch directory (its path is printed)
Environment: BENCH_TMPDIR (parent of the scratch directory, default /tmp),
  BENCH_JOBS (ninja -j, default 2), BENCH_PORT (smb3d's port, default 4470;
  Samba gets the next one and the loopback probe the one after),
  BENCH_SMB3D (an smb3d binary to measure instead of build-release/smb3d,
  e.g. a release build of another branch for an A/B comparison)
EOF
}

QUICK=0 ONLY="" RUNS="" SIZE="" OUT="" KEEP=0
while (($#)); do
	case $1 in
	--quick) QUICK=1 ;;
	--only) ONLY=$2; shift ;;
	--only=*) ONLY=${1#*=} ;;
	--runs) RUNS=$2; shift ;;
	--size) SIZE=$2; shift ;;
	--out) OUT=$2; shift ;;
	--keep) KEEP=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

if ((QUICK)); then
	: "${RUNS:=3}" "${SIZE:=64M}"
	NFILES=300 LIST_SMALL=1000 LIST_BIG=5000 RAND_SECS=1 SESS_CP=0,1,20,100 SESS_MAX=200 SESS_CAP=60
	STARTUP_RUNS=5 TCP_BYTES=1G AES_SECS=1
else
	: "${RUNS:=5}" "${SIZE:=1G}"
	NFILES=10000 LIST_SMALL=10000 LIST_BIG=100000 RAND_SECS=3 SESS_CP=0,1,100,1000 SESS_MAX=10000 SESS_CAP=300
	STARTUP_RUNS=20 TCP_BYTES=4G AES_SECS=3
fi
PORT_SMB3D=${BENCH_PORT:-4470}
PORT_SAMBA=$((PORT_SMB3D + 1)) PORT_PROBE=$((PORT_SMB3D + 2))

WORKLOADS=(limits startup)
for sec in plain sign aes128gcm aes256gcm; do
	for op in read write; do WORKLOADS+=("seq_${op}_d1_$sec" "seq_${op}_d16_$sec"); done
done
WORKLOADS+=(rand_read_d1 rand_read_d32 create stat list_small list_big sessions)

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
want() { [[ -z $ONLY ]] || [[ $1 =~ $ONLY ]]; }
want_any() { # REGEX: is any selected workload's name matched by REGEX?
	local w
	for w in "${WORKLOADS[@]}"; do [[ $w =~ $1 ]] && want "$w" && return 0; done
	return 1
}

# ---- dependencies and build -------------------------------------------------

need=()
for p in gcc meson ninja-build pkg-config libssl-dev liburing-dev samba openssl procps coreutils passwd; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
	log "installing: ${need[*]}"
	sudo=""
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null || { echo "run as root (or install sudo) to install: ${need[*]}" >&2; exit 1; }
		sudo=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq || true
	$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 || { echo "apt-get install failed" >&2; exit 1; }
fi
SMBD=$(command -v smbd || echo /usr/sbin/smbd)
PDBEDIT=$(command -v pdbedit || echo /usr/bin/pdbedit)

log "building smb3d (release) and smbload"
if [[ ! -f build-release/build.ninja ]]; then
	meson setup build-release --buildtype=release -Dtests=false >/dev/null || { echo "meson setup failed" >&2; exit 1; }
fi
ninja -C build-release -j"${BENCH_JOBS:-2}" >/dev/null || { echo "build failed" >&2; exit 1; }
SMB3D=${BENCH_SMB3D:-$ROOT/build-release/smb3d}
SMBLOAD=$ROOT/build-release/smbload
cc -std=gnu11 -O2 -D_GNU_SOURCE -Wall -Isrc bench/smbload.c build-release/libsmb3d_core.a \
	$(pkg-config --libs libcrypto) -lpthread -o "$SMBLOAD" || { echo "smbload build failed" >&2; exit 1; }

# ---- scratch directory, user, configs ---------------------------------------

# Every connection costs each server at least one descriptor: root may raise the
# hard limit.
hard=$(ulimit -Hn)
[[ $hard == unlimited ]] || ((hard >= 65536)) || ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
S=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/smb3d-bench.XXXXXX")
chmod 755 "$S"
SHARE=$S/share
mkdir -p "$SHARE" "$S/smb3d" "$S/samba"/{private,lock,state,cache,pid,ncalrpc,log}
declare -A PID=() PORT=([smb3d]=$PORT_SMB3D [samba]=$PORT_SAMBA) RESTARTS=()

stop_tree() { # PID: SIGTERM the process and its descendants, SIGKILL what is left after 10 s
	local top=$1 p all
	[[ -n $top ]] || return 0
	all=($(ps -e -o pid=,ppid= | awk -v top="$top" '
		{ kids[$2] = kids[$2] " " $1 }
		END { q[1] = top; n = 1
			for (i = 1; i <= n; i++) { print q[i]; m = split(kids[q[i]], k, " "); for (j = 1; j <= m; j++) q[++n] = k[j] } }'))
	kill -TERM "${all[@]}" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$top" 2>/dev/null || break
		sleep 0.1
	done
	for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
	wait "$top" 2>/dev/null
	return 0
}
cleanup() {
	local s
	for s in "${!PID[@]}"; do stop_tree "${PID[$s]}"; done
	PID=()
	if ((KEEP)); then log "scratch directory kept: $S"; else rm -rf "$S"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) -eq 0 ]]; then
	BUSER=smb3dbench
	if ! id -u "$BUSER" >/dev/null 2>&1; then
		log "creating Unix user $BUSER"
		useradd --system --no-create-home --user-group --shell /usr/sbin/nologin "$BUSER" || exit 1
	fi
else
	BUSER=$(id -un)
fi
chown "$BUSER:" "$SHARE" 2>/dev/null
own() { [[ $(id -u) -ne 0 ]] || chown -R "$BUSER:" "$@"; }
PW=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
export SMBLOAD_PASSWORD=$PW

cat >"$S/smb3d/smb.conf" <<EOF
[global]
	smb ports = $PORT_SMB3D
	interfaces = lo
	bind interfaces only = yes
	server signing = auto
	server smb encrypt = if_required
	passdb backend = smbpasswd:$S/smb3d/smbpasswd
	map to guest = never
	log level = 0
[bench]
	path = $SHARE
	read only = no
EOF
cat >"$S/samba/smb.conf" <<EOF
[global]
	smb ports = $PORT_SAMBA
	interfaces = lo
	bind interfaces only = yes
	server role = standalone server
	workgroup = BENCH
	netbios name = SMBBENCH
	disable netbios = yes
	passdb backend = smbpasswd:$S/samba/smbpasswd
	private dir = $S/samba/private
	lock directory = $S/samba/lock
	state directory = $S/samba/state
	cache directory = $S/samba/cache
	pid directory = $S/samba/pid
	ncalrpc dir = $S/samba/ncalrpc
	log file = $S/samba/log/log.%m
	max log size = 0
	log level = 0
	load printers = no
	printing = bsd
	printcap name = /dev/null
	disable spoolss = yes
	map to guest = never
	server min protocol = SMB2_02
	server signing = auto
	server smb encrypt = if_required
[bench]
	path = $SHARE
	read only = no
EOF
printf '%s\n' "$PW" | "$SMB3D" user add --config "$S/smb3d/smb.conf" "$BUSER" >/dev/null ||
	{ echo "smb3d user add failed" >&2; exit 1; }
SAMBA_OK=1
# pdbedit rather than smbpasswd -a: it also works for an ordinary user
if ! printf '%s\n%s\n' "$PW" "$PW" | "$PDBEDIT" -s "$S/samba/smb.conf" -a -t -u "$BUSER" >"$S/samba/pdbedit.log" 2>&1; then
	log "pdbedit failed (Samba figures will be missing): $(tail -1 "$S/samba/pdbedit.log")"
	SAMBA_OK=0
fi

SMB3D_CMD=("$SMB3D" --config "$S/smb3d/smb.conf")
# smbd --no-process-group stays in our process group, and on SIGTERM it signals
# its whole process group: setsid gives it a session of its own (same pid).
SAMBA_CMD=(setsid "$SMBD" --foreground --no-process-group -s "$S/samba/smb.conf")

port_open() { (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

start_server() { # smb3d|samba
	local s=$1 i
	if [[ $s == samba ]]; then
		((SAMBA_OK)) || return 1
		"${SAMBA_CMD[@]}" >>"$S/samba/stdout.log" 2>&1 &
	else
		"${SMB3D_CMD[@]}" >>"$S/smb3d/stdout.log" 2>&1 &
	fi
	PID[$s]=$!
	for i in $(seq 300); do
		port_open "${PORT[$s]}" && return 0
		kill -0 "${PID[$s]}" 2>/dev/null || break
		sleep 0.05
	done
	log "$s did not start; last log lines:"
	tail -5 "$S/$s/stdout.log" >&2
	unset "PID[$s]"
	[[ $s == samba ]] && SAMBA_OK=0
	return 1
}

ensure_server() { # restarts a server that died (and says so)
	local s=$1
	[[ -n ${PID[$s]:-} ]] && kill -0 "${PID[$s]}" 2>/dev/null && return 0
	[[ $s == samba && $SAMBA_OK -eq 0 ]] && return 1
	if [[ -n ${PID[$s]:-} ]]; then
		RESTARTS[$s]=$((${RESTARTS[$s]:-0} + 1))
		log "$s is not running any more (exit status $(wait "${PID[$s]}"; echo $?)); restarting it"
	fi
	start_server "$s"
}

# ---- results ----------------------------------------------------------------

declare -A VALS=() FAILS=() UNIT=() NOTE=()
ORDER=()
MACHINE=()

add_fig() { # name unit
	[[ -n ${UNIT[$1]:-} ]] && return
	ORDER+=("$1")
	UNIT[$1]=$2
}
add_val() { VALS[$1|$2]+="$3 "; }
add_fail() { FAILS[$1|$2]=$3; }

median() {
	(($#)) || return 0
	printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {
		if (NR == 0) exit
		if (NR % 2) printf "%.6g\n", a[(NR + 1) / 2]; else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
fval() { median ${VALS[$1|$2]:-}; } # median of a figure for a server, empty if none
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

LAST="" LAST_ERR=""
# smbload against one server: sets LAST (the RESULT line) or LAST_ERR.
load() {
	local s=$1 out rc
	shift
	LAST="" LAST_ERR=""
	if ! ensure_server "$s"; then
		LAST_ERR="server not running"
		return 1
	fi
	out=$(timeout 900 "$SMBLOAD" "$@" --port "${PORT[$s]}" --server-pid "${PID[$s]}" 2>>"$S/smbload.err")
	rc=$?
	LAST=$(grep '^RESULT' <<<"$out" | tail -1)
	if ((rc != 0)) || [[ -z $LAST ]]; then
		LAST_ERR=$(grep '^FAIL' <<<"$out" | head -1 | cut -c6-)
		[[ -n $LAST_ERR ]] || LAST_ERR="smbload exit status $rc"
		LAST=""
		return 1
	fi
	return 0
}

SERVERS=(smb3d samba)
GiB=1073741824

# Page cache warm for every run, not only the first: this VM runs DAMON
# proactive reclaim (kdamond, action pageout), which evicts pages left
# untouched for about a minute, so a file read once at the start is partly on
# disk again by the time later figures read it.
warm() { # [server run]: ignored, so it can be a simple() pre-hook
	cat "$SHARE/r.dat" >/dev/null
}
warm_dirs() {
	ls -l "$SHARE/st" "$SHARE/ls" "$SHARE/lb" >/dev/null 2>&1
}

# Sequential I/O figure: throughput, server and client CPU per GiB moved.
seq_io() { # op(read|write) depth sec
	local op=$1 depth=$2 sec=$3 name="seq_${1}_d${2}_${3}" i s args
	want "$name" || return 0
	log "$name ($RUNS runs each)"
	add_fig "$name" "MB/s(hi)"
	add_fig "${name}_srv_cpu" "s/GiB(lo)"
	add_fig "${name}_cli_cpu" "s/GiB(lo)"
	if [[ $op == write ]]; then
		# Each write run overwrites an existing file in place (page cache
		# warm, as for reads) with its own data pattern (--seed), so what the
		# check finds was written by that run. Truncating and growing the file
		# instead made this VM's allocation of fresh pages the figure: the same
		# server's runs ranged from 0.9 s to 4.4 s per GiB.
		for s in "${SERVERS[@]}"; do
			"$SMBLOAD" mkfile "$SHARE/w_$s.dat" --size "$SIZE_BYTES" && own "$SHARE/w_$s.dat"
		done
	fi
	for ((i = 1; i <= RUNS; i++)); do
		for s in "${SERVERS[@]}"; do
			[[ -n ${FAILS[$name|$s]:-} ]] && continue
			if [[ $op == read ]]; then
				warm
				args=(read --file r.dat --size "$SIZE_BYTES")
			else
				sync
				args=(write --in-place --seed "$i" --file "w_$s.dat" --size "$SIZE_BYTES" --verify-local "$SHARE/w_$s.dat")
			fi
			if load "$s" "${args[@]}" --depth "$depth" --sec "$sec"; then
				local bytes secs scpu ccpu
				bytes=$(field "$LAST" bytes) secs=$(field "$LAST" secs)
				scpu=$(field "$LAST" server_cpu) ccpu=$(field "$LAST" client_cpu)
				add_val "$name" "$s" "$(awk -v b="$bytes" -v t="$secs" 'BEGIN{printf "%.1f", b/t/1e6}')"
				add_val "${name}_srv_cpu" "$s" "$(awk -v b="$bytes" -v c="$scpu" -v g=$GiB 'BEGIN{printf "%.4f", c/(b/g)}')"
				add_val "${name}_cli_cpu" "$s" "$(awk -v b="$bytes" -v c="$ccpu" -v g=$GiB 'BEGIN{printf "%.4f", c/(b/g)}')"
				case $sec in
				sign) NOTE[$name]="signing $(field "$LAST" algo), dialect 3.1.1" ;;
				aes*) NOTE[$name]="encryption $(field "$LAST" algo), dialect 3.1.1" ;;
				*) NOTE[$name]="unsigned, dialect 3.1.1" ;;
				esac
			else
				add_fail "$name" "$s" "$LAST_ERR"
				log "  $s FAILED: $LAST_ERR"
			fi
		done
	done
	rm -f "$SHARE"/w_*.dat
}

# A figure read from one RESULT field (rate, iops) for each run.
simple() { # name unit field pre-hook smbload-args...
	local name=$1 unit=$2 key=$3 pre=$4 i s
	shift 4
	want "$name" || return 0
	log "$name ($RUNS runs each)"
	add_fig "$name" "$unit"
	for ((i = 1; i <= RUNS; i++)); do
		for s in "${SERVERS[@]}"; do
			[[ -n ${FAILS[$name|$s]:-} ]] && continue
			[[ -z $pre ]] || $pre "$s" "$i"
			local args=("${@//@S@/$s}")
			args=("${args[@]//@I@/$i}")
			if load "$s" "${args[@]}"; then
				add_val "$name" "$s" "$(field "$LAST" "$key")"
			else
				add_fail "$name" "$s" "$LAST_ERR"
				log "  $s FAILED: $LAST_ERR"
			fi
		done
	done
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
SIZE_BYTES=$(numfmt --from=iec "${SIZE^^}" 2>/dev/null) || { echo "bad --size $SIZE" >&2; exit 2; }

# ---- machine limits ---------------------------------------------------------

TCP_MBPS="" AES128_MBPS="" AES256_MBPS=""
if want limits; then
	log "machine limits: loopback TCP ($TCP_BYTES, $RUNS runs), openssl speed aes-128/256-gcm"
	v=()
	for ((i = 1; i <= RUNS; i++)); do
		out=$("$SMBLOAD" tcplimit --port $PORT_PROBE --size "$TCP_BYTES" 2>&1) && v+=("$(field "$out" mbps)")
	done
	# a ceiling: the best run (the median would count the noise of a shared machine)
	TCP_MBPS=$(printf '%s\n' "${v[@]}" | sort -g | tail -1)
	TCP_MED=$(median "${v[@]}")
	aes() { openssl speed -evp "$1" -bytes 16384 -seconds "$AES_SECS" 2>/dev/null | tail -1 | awk '{v=$NF; sub(/k$/, "", v); printf "%.1f", v/1000}'; }
	AES128_MBPS=$(aes aes-128-gcm)
	AES256_MBPS=$(aes aes-256-gcm)
	MACHINE+=("machine_loopback_tcp_single_stream ${TCP_MBPS:-?} MB/s (best of $RUNS, median ${TCP_MED:-?}; 1 MiB writes, $TCP_BYTES)")
	MACHINE+=("machine_openssl_aes128gcm_16k ${AES128_MBPS:-?} MB/s (openssl speed -evp aes-128-gcm -bytes 16384, one core)")
	MACHINE+=("machine_openssl_aes256gcm_16k ${AES256_MBPS:-?} MB/s (openssl speed -evp aes-256-gcm -bytes 16384, one core)")
fi

# ---- startup time (before the long-running servers take the ports) ----------

if want startup; then
	log "startup time, $STARTUP_RUNS runs each"
	add_fig startup_to_first_accept "ms(lo)"
	if out=$("$SMBLOAD" startup --port $PORT_SMB3D --runs "$STARTUP_RUNS" -- "${SMB3D_CMD[@]}" 2>&1); then
		add_val startup_to_first_accept smb3d "$(field "$out" median_ms)"
	else add_fail startup_to_first_accept smb3d "$(grep FAIL <<<"$out" | head -1)"; fi
	if ((SAMBA_OK)) && out=$("$SMBLOAD" startup --port $PORT_SAMBA --runs "$STARTUP_RUNS" -- "${SAMBA_CMD[@]:1}" 2>&1); then
		add_val startup_to_first_accept samba "$(field "$out" median_ms)"
	else add_fail startup_to_first_accept samba "$(grep FAIL <<<"$out" | head -1)"; fi
fi

# ---- the servers and their data --------------------------------------------

start_server smb3d || log "smb3d did not start: every smb3d figure will fail"
start_server samba || log "Samba's smbd did not start: no Samba figures"
log "servers: smb3d pid ${PID[smb3d]:-none} port $PORT_SMB3D, smbd pid ${PID[samba]:-none} port $PORT_SAMBA; scratch $S"

if want_any '^(seq_read|rand_read)'; then
	log "test file: $SIZE ($SIZE_BYTES bytes), read once to warm the page cache"
	"$SMBLOAD" mkfile "$SHARE/r.dat" --size "$SIZE_BYTES" && own "$SHARE/r.dat" && cat "$SHARE/r.dat" >/dev/null
fi
if want stat; then "$SMBLOAD" mkfiles "$SHARE/st" --count "$NFILES" && own "$SHARE/st"; fi
if want list_small; then "$SMBLOAD" mkfiles "$SHARE/ls" --count "$LIST_SMALL" && own "$SHARE/ls"; fi
if want list_big; then "$SMBLOAD" mkfiles "$SHARE/lb" --count "$LIST_BIG" && own "$SHARE/lb"; fi

# ---- workloads --------------------------------------------------------------

for sec in plain sign aes128gcm aes256gcm; do
	for op in read write; do
		for d in 1 16; do seq_io "$op" "$d" "$sec"; done
	done
done

simple rand_read_d1 "IOPS(hi)" iops warm randread --file r.dat --depth 1 --seconds "$RAND_SECS"
simple rand_read_d32 "IOPS(hi)" iops warm randread --file r.dat --depth 32 --seconds "$RAND_SECS"

rm_created() { rm -rf "$SHARE/c_$1_$2"; }
simple create "files/s(hi)" rate rm_created create --dir "c_@S@_@I@" --count "$NFILES"
rm -rf "$SHARE"/c_*
simple stat "files/s(hi)" rate warm_dirs stat --dir st --count "$NFILES"
simple list_small "entries/s(hi)" rate warm_dirs list --dir ls --count "$LIST_SMALL"
simple list_big "entries/s(hi)" rate warm_dirs list --dir lb --count "$LIST_BIG"

# ---- idle sessions: memory and how many are held -----------------------------

if want sessions; then
	IFS=, read -ra cps <<<"$SESS_CP"
	add_fig sessions_held "sessions(hi)"
	for c in "${cps[@]}"; do add_fig "pss_total_${c}_sessions" "MiB(lo)"; done
	add_fig pss_per_session "KiB(lo)"
	for s in "${SERVERS[@]}"; do
		log "sessions: $s, up to $SESS_MAX idle sessions (PSS at $SESS_CP; time cap ${SESS_CAP}s)"
		# a fresh server: memory freed by the earlier workloads would hide what sessions cost
		if [[ -n ${PID[$s]:-} ]]; then
			stop_tree "${PID[$s]}"
			unset "PID[$s]"
			start_server "$s"
		fi
		if ! ensure_server "$s"; then
			add_fail sessions_held "$s" "server not running"
			continue
		fi
		out=$(timeout $((SESS_CAP + 600)) "$SMBLOAD" sessions --port "${PORT[$s]}" --server-pid "${PID[$s]}" \
			--checkpoints "$SESS_CP" --max "$SESS_MAX" --time-cap "$SESS_CAP" 2>>"$S/smbload.err")
		res=$(grep '^RESULT' <<<"$out")
		if [[ -n $res ]]; then
			add_val sessions_held "$s" "$(field "$res" held)"
			stop=$(sed -n 's/.*stop="\([^"]*\)".*/\1/p' <<<"$res")
			[[ $stop == "reached --max" ]] || NOTE[sessions_held]+="$s stopped: $stop; "
		else
			add_fail sessions_held "$s" "$(grep '^FAIL' <<<"$out" | head -1 | cut -c6-)"
		fi
		declare -A pss=()
		while read -r _ n p _; do
			n=${n#sessions=} p=${p#pss_kb=}
			pss[$n]=$p
			add_val "pss_total_${n}_sessions" "$s" "$(awk -v p="$p" 'BEGIN{printf "%.1f", p/1024}')"
		done < <(grep '^MEM' <<<"$out")
		lo=${cps[1]:-1} hi=${cps[-1]}
		if [[ -n ${pss[$lo]:-} && -n ${pss[$hi]:-} ]]; then
			add_val pss_per_session "$s" "$(awk -v a="${pss[$lo]}" -v b="${pss[$hi]}" -v n=$((hi - lo)) 'BEGIN{printf "%.1f", (b-a)/n}')"
		fi
		unset pss
		# let a forking server reap its children before anything else runs
		for _ in $(seq 120); do
			(($(ps -o pid= --ppid "${PID[$s]}" 2>/dev/null | wc -l) <= 5)) && break
			sleep 0.5
		done
	done
	NOTE[pss_per_session]="(PSS at ${cps[-1]} - PSS at ${cps[1]:-1}) / $((${cps[-1]} - ${cps[1]:-1})), all server processes"
fi

# ---- fractions of the machine limits -----------------------------------------

for name in "${ORDER[@]}"; do
	[[ -n $TCP_MBPS && $name == seq_* && $name != *_cpu ]] || continue
	lim=$TCP_MBPS
	case $name in
	*aes128gcm) lim=$(awk -v a="$TCP_MBPS" -v b="$AES128_MBPS" 'BEGIN{print (b != "" && b < a) ? b : a}') ;;
	*aes256gcm) lim=$(awk -v a="$TCP_MBPS" -v b="$AES256_MBPS" 'BEGIN{print (b != "" && b < a) ? b : a}') ;;
	esac
	[[ -n $lim ]] || continue
	add_fig "${name}_of_limit" "fraction(hi)"
	for s in "${SERVERS[@]}"; do
		v=$(fval "$name" "$s")
		[[ -n $v ]] && add_val "${name}_of_limit" "$s" "$(awk -v v="$v" -v l="$lim" 'BEGIN{printf "%.3f", v/l}')"
	done
	NOTE[${name}_of_limit]="limit $lim MB/s"
done

# ---- report -----------------------------------------------------------------

report() {
	local name s v r
	echo "# smb3d $(git -C "$ROOT" describe --always --dirty 2>/dev/null) vs $("$SMBD" --version 2>/dev/null); $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "# load average at start: $LOAD0; at end: $(cut -d' ' -f1-3 /proc/loadavg); fd limit $(ulimit -n); $(id -un)"
	echo "# bench/run.sh $( ((QUICK)) && echo --quick) runs=$RUNS size=$SIZE files=$NFILES lists=$LIST_SMALL/$LIST_BIG sessions<=$SESS_MAX"
	for v in "${MACHINE[@]}"; do echo "# $v"; done
	printf '%-38s %12s %12s %8s  %s\n' name smb3d samba ratio unit
	for name in "${ORDER[@]}"; do
		local col=()
		for s in "${SERVERS[@]}"; do
			v=$(fval "$name" "$s")
			if [[ -n ${FAILS[$name|$s]:-} ]]; then col+=(FAIL)
			elif [[ -n $v ]]; then col+=("$v")
			else col+=(-); fi
		done
		r=$(awk -v a="${col[0]}" -v b="${col[1]}" 'BEGIN{ if (a+0 == a && b+0 == b && b != 0) printf "%.3g", a/b; else print "-" }')
		printf '%-38s %12s %12s %8s  %s\n' "$name" "${col[0]}" "${col[1]}" "$r" "${UNIT[$name]}${NOTE[$name]:+  # ${NOTE[$name]}}"
	done
	for name in "${ORDER[@]}"; do
		for s in "${SERVERS[@]}"; do
			[[ -n ${FAILS[$name|$s]:-} ]] && echo "# FAIL $name $s: ${FAILS[$name|$s]}"
		done
	done
	for s in "${!RESTARTS[@]}"; do echo "# $s was restarted ${RESTARTS[$s]} time(s) after dying"; done
	((SAMBA_OK)) || echo "# Samba's smbd could not be run here; see the log lines above"
	return 0
}
res=$(report)
tgt=$(awk -f "$ROOT/bench/targets.awk" <<<"$res" | sed 's/^/# /')
{
	printf '%s\n' "$res"
	echo "# targets of the performance issue (bench/targets.awk):"
	printf '%s\n' "$tgt"
} | tee ${OUT:+"$OUT"}

