#!/usr/bin/env bash
# File operations through smbclient against smb3d (run as root: users are
# Unix accounts): mkdir, put/get with equal checksums (8 MiB per dialect,
# signed and encrypted; 1 GiB once, then copied server-side with
# FSCTL_SRV_COPYCHUNK_WRITE and timed against get+put), recursive mput/mget of a deep tree
# with unicode and space names, rename, del, rmdir, allinfo, ls with
# wildcards, alternate data streams (file:stream), setmode, read-only
# share refusals, and attempts to escape the
# share through symlinks planted on the server.
# Usage: tests/integration/files.sh PATH/TO/smb3d
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(realpath "${1:-build/smb3d}")
[[ $(id -u) -eq 0 ]] || { echo "files.sh: needs root" >&2; record fail files:not-root; exit 0; }
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
work=$(mktemp -d /tmp/smb3d-files.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
id smbtest >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin smbtest
port=$(free_port)
mkdir -p "$work/share" "$work/ro" "$work/local"
chown smbtest "$work/share"
echo "read-only content" >"$work/ro/keep.txt"
echo "TOP SECRET" >"$work/secret.txt"
cat >"$work/smb.conf" <<CONF
[global]
	smb ports = $port
	interfaces = 127.0.0.1
	bind interfaces only = yes
	passdb backend = smbpasswd:$work/smbpasswd
[data]
	path = $work/share
	read only = no
	# READ replies copied (the page-cache read on the loop, and the offload
	# read); zero-copy, the default, is what smbclient.sh and torture.sh use
	use sendfile = no
[ro]
	path = $work/ro
	read only = yes
CONF
echo Files-Pass-1 | "$bin" user add --config "$work/smb.conf" smbtest >/dev/null
"$bin" --config "$work/smb.conf" >"$work/server.log" 2>&1 &
pid=$!
wait_port "$port" || cat "$work/server.log" >&2
U=(-U smbtest%Files-Pass-1 -p "$port")
sc() { timeout 300 smbclient //127.0.0.1/"$@"; }
cd "$work/local"
head -c $((8 << 20)) /dev/urandom >small.bin
sum=$(sha256sum <small.bin | cut -d' ' -f1)

for m in SMB2_02 SMB2_10 SMB3_00 SMB3_02 SMB3_11; do
	for prot in off sign encrypt; do
		[[ $prot == encrypt && $m == SMB2* ]] && continue
		name="files:$m:$prot"
		rm -f back.bin
		sc data "${U[@]}" -m "$m" --client-protection=$prot -c "put small.bin $m-$prot.bin; get $m-$prot.bin back.bin" \
			>/dev/null 2>&1
		if [[ -f back.bin && $(sha256sum <back.bin | cut -d' ' -f1) == "$sum" ]]; then
			record pass "$name:put-get-8MiB"
		else
			record fail "$name:put-get-8MiB"
		fi
	done
done

head -c $((1 << 30)) /dev/urandom >big.bin
bigsum=$(sha256sum <big.bin | cut -d' ' -f1)
rm -f bigback.bin
sc data "${U[@]}" -c "put big.bin big.bin; get big.bin bigback.bin" >/dev/null 2>&1
if [[ -f bigback.bin && $(sha256sum <bigback.bin | cut -d' ' -f1) == "$bigsum" ]]; then
	record pass "files:put-get-1GiB"
else
	record fail "files:put-get-1GiB"
fi
# Server-side copy of the same 1 GiB (FSCTL_SRV_COPYCHUNK_WRITE in 16 MiB
# requests, through impacket: smbclient has no copy command) must give the
# same bytes; it is timed against what a client without it does, a plain
# get and put. The timing only warns: the machine is shared and noisy.
if [[ -f bigback.bin ]] && /usr/bin/python3 -c 'import impacket' 2>/dev/null; then
	cc_secs=$(timeout 300 /usr/bin/python3 "$here/copychunk.py" 127.0.0.1 "$port" data smbtest Files-Pass-1 \
		big.bin bigcopy.bin 2>"$work/copychunk.err")
	if [[ -n $cc_secs && $(sha256sum <"$work/share/bigcopy.bin" | cut -d' ' -f1) == "$bigsum" ]]; then
		record pass "files:copychunk-1GiB"
	else
		record fail "files:copychunk-1GiB"
		tail -3 "$work/copychunk.err" >&2
	fi
	t0=$(date +%s.%N)
	sc data "${U[@]}" -c "get big.bin plain.bin; put plain.bin bigplain.bin" >/dev/null 2>&1
	t1=$(date +%s.%N)
	plain_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	echo "  info copy of 1 GiB: server-side copychunk ${cc_secs:-?} s, get+put ${plain_secs} s" >&2
	if [[ -n $cc_secs ]] && awk -v c="$cc_secs" -v p="$plain_secs" 'BEGIN { exit !(c >= p) }'; then
		echo "  WARN server-side copy was not faster than get+put" >&2
	fi
	rm -f plain.bin
	sc data "${U[@]}" -c "del bigcopy.bin; del bigplain.bin" >/dev/null 2>&1
else
	record fail "files:copychunk-1GiB (needs python3-impacket and the 1 GiB file)"
fi
rm -f big.bin bigback.bin
sc data "${U[@]}" -c "del big.bin" >/dev/null 2>&1

# READ of data partly or not at all in the page cache, and across, at and
# past the end of the file: the loop's page-cache copy and the offload
# thread's read must join up (read_edges.py prints one line per check)
head -c $((8 * 1024 * 1024 + 1234)) /dev/urandom >"$work/share/edges.bin"
chmod 644 "$work/share/edges.bin"
if /usr/bin/python3 -c 'import impacket' 2>/dev/null; then
	/usr/bin/python3 "$here/read_edges.py" 127.0.0.1 "$port" data smbtest Files-Pass-1 edges.bin \
		"$work/share/edges.bin" >"$work/read_edges.out" 2>&1
	while read -r verdict label rest; do
		case $verdict in
		ok) record pass "files:read-$label" ;;
		FAIL) record fail "files:read-${label%:}"; echo "  $verdict $label $rest" >&2 ;;
		esac
	done <"$work/read_edges.out"
	grep -q '^ok ' "$work/read_edges.out" || { record fail "files:read-edges (no result)"; tail -5 "$work/read_edges.out" >&2; }
else
	record fail "files:read-edges (needs python3-impacket)"
fi
rm -f "$work/share/edges.bin"

# a deep tree with unicode and space names
mkdir -p "tree/a b/ünï cödé/deeper/and deeper/日本語"
for d in "tree" "tree/a b" "tree/a b/ünï cödé" "tree/a b/ünï cödé/deeper/and deeper/日本語"; do
	echo "content of $d" >"$d/file with space.txt"
	echo "more" >"$d/ファイル.txt"
done
(cd tree && find . -type f | sort | xargs -d '\n' sha256sum) >tree.sums
sc data "${U[@]}" -c "prompt off; recurse on; mput tree" >/dev/null 2>&1
rm -rf tree
sc data "${U[@]}" -c "prompt off; recurse on; mget tree" >/dev/null 2>&1
if [[ -d tree ]] && (cd tree && find . -type f | sort | xargs -d '\n' sha256sum) | diff -q - tree.sums >/dev/null; then
	record pass "files:mput-mget-deep-unicode-tree"
else
	record fail "files:mput-mget-deep-unicode-tree"
fi

check_rc "files:mkdir" 0 sc data "${U[@]}" -c "mkdir newdir"
check_out "files:mkdir-exists" "NT_STATUS_OBJECT_NAME_COLLISION" sc data "${U[@]}" -c "mkdir newdir"
check_rc "files:rename" 0 sc data "${U[@]}" -c "rename SMB3_11-off.bin newdir\\moved.bin"
check_out "files:ls-wildcard" "moved.bin" sc data "${U[@]}" -c "ls newdir\\mov*.b?n"
check_out "files:ls-wildcard-no-match" "NO_SUCH_FILE" sc data "${U[@]}" -c "ls newdir\\*.nothing"
check_out "files:allinfo" "stream: \\[::\\\$DATA\\], 8388608 bytes" sc data "${U[@]}" -c "allinfo newdir\\moved.bin"
# alternate data streams: "file:stream" round-trips through put/get, allinfo
# lists it, it is stored as Samba's vfs_streams_xattr stores it (so a stream
# Samba wrote shows too), a stream name cannot lead anywhere else, and
# deleting the file deletes its streams
printf 'stream payload\n' >stream.txt
sc data "${U[@]}" -c "put stream.txt withstream.txt; put stream.txt withstream.txt:meta; get withstream.txt:meta stream.back" \
	>/dev/null 2>&1
if cmp -s stream.txt stream.back; then record pass "files:stream-put-get"; else record fail "files:stream-put-get"; fi
check_out "files:stream-allinfo" "stream: \\[:meta:\\\$DATA\\], 15 bytes" sc data "${U[@]}" -c "allinfo withstream.txt"
if [[ $(/usr/bin/python3 -c 'import os, sys; sys.stdout.write(os.getxattr(sys.argv[1], "user.DosStream.meta:$DATA").hex())' \
	"$work/share/withstream.txt" 2>/dev/null) == "$(printf 'stream payload\n\0' | od -An -tx1 | tr -d ' \n')" ]]; then
	record pass "files:stream-samba-layout"
else
	record fail "files:stream-samba-layout"
fi
/usr/bin/python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.DosStream.fromsamba:$DATA", b"abc\0")' \
	"$work/share/withstream.txt"
check_out "files:stream-written-by-samba" "stream: \\[:fromsamba:\\\$DATA\\], 3 bytes" sc data "${U[@]}" \
	-c "allinfo withstream.txt"
# (smbclient collapses ".." itself; a separator after the colon must fail)
check_out "files:stream-name-no-separator" "NT_STATUS_OBJECT_NAME_INVALID" sc data "${U[@]}" \
	-c "put stream.txt \"withstream.txt:newdir\\escape\""
[[ -e "$work/share/newdir/escape" || -e "$work/share/escape" ]] && record fail "files:stream-name-created-nothing" ||
	record pass "files:stream-name-created-nothing"
check_rc "files:stream-del-with-file" 0 sc data "${U[@]}" -c "del withstream.txt"
check_out "files:stream-gone-with-file" "NT_STATUS_OBJECT_NAME_NOT_FOUND" sc data "${U[@]}" -c "get withstream.txt:meta stream.back2"
check_out "files:setmode-readonly" "attributes: RA|attributes: AR" sc data "${U[@]}" \
	-c "setmode newdir\\moved.bin +r; allinfo newdir\\moved.bin"
check_out "files:del-readonly-refused" "NT_STATUS_CANNOT_DELETE|NT_STATUS_ACCESS_DENIED" \
	sc data "${U[@]}" -c "del newdir\\moved.bin"
check_rc "files:setmode-clear" 0 sc data "${U[@]}" -c "setmode newdir\\moved.bin -r"
check_rc "files:del" 0 sc data "${U[@]}" -c "del newdir\\moved.bin"
check_rc "files:rmdir" 0 sc data "${U[@]}" -c "rmdir newdir"
check_out "files:rmdir-gone" "NT_STATUS_NO_SUCH_FILE|NT_STATUS_OBJECT_NAME_NOT_FOUND" sc data "${U[@]}" -c "ls newdir"
if [[ "$(stat -c %U "$work/share/tree")" == smbtest ]]; then record pass "files:owned-by-unix-user"; else record fail "files:owned-by-unix-user"; fi
check_out "files:utimes" "write_time: .* 2001" sc data "${U[@]}" \
	-c "utimes tree\\ファイル.txt -1 -1 01:02:03-04:05:06 -1; allinfo tree\\ファイル.txt"

# A directory of 100,000 entries (made outside SMB) lists completely, each
# name once, with sizes; and a name in it opens by case-insensitive lookup.
mkdir "$work/share/big"
(cd "$work/share/big" && seq -f 'entry-%06g.txt' 1 100000 | xargs touch && echo data >entry-050000.txt)
chown -R smbtest "$work/share/big"
sc data "${U[@]}" -c "ls big\\*" >"$work/big.ls" 2>&1
n=$(grep -cE '^  entry-[0-9]{6}\.txt +A? +[0-9]+ ' "$work/big.ls")
u=$(grep -oE 'entry-[0-9]{6}\.txt' "$work/big.ls" | sort -u | wc -l)
if [[ $n == 100000 && $u == 100000 ]] && grep -qE '^  entry-050000\.txt +A? +5 ' "$work/big.ls"; then
	record pass "files:list-100000-entries"
else
	record fail "files:list-100000-entries"
	echo "    listed $n lines, $u distinct names" >&2
	tail -3 "$work/big.ls" | sed 's/^/    | /' >&2
fi
check_out "files:big-dir-case-insensitive-open" "getting file" sc data "${U[@]}" \
	-c "get big\\ENTRY-050000.TXT $work/one.txt"
rm -rf "$work/share/big"

# CHANGE_NOTIFY reports changes made by a local program (inotify), once
# each, and a change made through SMB once (not again via inotify).
# smbclient's notify watches the tree: local changes in subdirectories,
# existing ones and one made after the watch began, are reported too.
mkdir -p "$work/share/watched/sub/deeper"
chown -R smbtest "$work/share/watched"
timeout 6 stdbuf -o0 smbclient //127.0.0.1/data -p "$port" "${U[@]}" -c "notify watched" >"$work/notify.out" 2>&1 &
npid=$!
sleep 1.5
echo local >"$work/share/watched/made-locally.txt"
mv "$work/share/watched/made-locally.txt" "$work/share/watched/renamed-locally.txt"
echo deep >"$work/share/watched/sub/deeper/in-subdir.txt"
mkdir "$work/share/watched/newdir"
sleep 0.5
echo new >"$work/share/watched/newdir/in-new.txt"
sleep 0.5
sc data "${U[@]}" -c "put small.bin watched\\via-smb.bin" >/dev/null 2>&1
wait "$npid"
if grep -q '^0001 made-locally.txt' "$work/notify.out" && grep -q '^0004 made-locally.txt' "$work/notify.out" &&
	grep -q '^0005 renamed-locally.txt' "$work/notify.out"; then
	record pass "files:notify-local-changes"
else
	record fail "files:notify-local-changes"
	sed 's/^/    | /' "$work/notify.out" >&2
fi
if grep -qF '0001 sub\deeper\in-subdir.txt' "$work/notify.out" && grep -qF '0001 newdir\in-new.txt' "$work/notify.out"; then
	record pass "files:notify-local-changes-in-tree"
else
	record fail "files:notify-local-changes-in-tree"
	sed 's/^/    | /' "$work/notify.out" >&2
fi
if [[ $(grep -c '^0001 via-smb.bin' "$work/notify.out") == 1 ]]; then record pass "files:notify-smb-change-once"; else
	record fail "files:notify-smb-change-once"
	sed 's/^/    | /' "$work/notify.out" >&2
fi

# read-only share: reads work, every change is refused
check_out "files:ro-get" "getting file" sc ro "${U[@]}" -c "get keep.txt ro.txt"
check_out "files:ro-put-refused" "NT_STATUS_ACCESS_DENIED|NT_STATUS_MEDIA_WRITE_PROTECTED" sc ro "${U[@]}" -c "put small.bin x.bin"
check_out "files:ro-del-refused" "NT_STATUS_ACCESS_DENIED|NT_STATUS_MEDIA_WRITE_PROTECTED" sc ro "${U[@]}" -c "del keep.txt"
check_out "files:ro-mkdir-refused" "NT_STATUS_ACCESS_DENIED|NT_STATUS_MEDIA_WRITE_PROTECTED" sc ro "${U[@]}" -c "mkdir x"
[[ -f "$work/ro/keep.txt" ]] && record pass "files:ro-untouched" || record fail "files:ro-untouched"

# escapes: names with .., and symlinks planted on the server that lead out
ln -s "$work/secret.txt" "$work/share/abs-link"
ln -s ../secret.txt "$work/share/rel-link"
ln -s "$work" "$work/share/dir-link"
ln -s "$work/nothing-here" "$work/share/dangling"
for path in "..\\secret.txt" "tree\\..\\..\\secret.txt" "abs-link" "rel-link" "dir-link\\secret.txt" "dangling"; do
	rm -f leaked.txt
	sc data "${U[@]}" -c "get \"$path\" leaked.txt" >/dev/null 2>&1
	if [[ -f leaked.txt ]] && grep -q "TOP SECRET" leaked.txt; then
		record fail "files:escape:$path"
	else
		record pass "files:escape:$path"
	fi
done
sc data "${U[@]}" -c "put small.bin \"dir-link\\planted.bin\"" >/dev/null 2>&1
[[ -e "$work/planted.bin" ]] && record fail "files:escape:write-through-dir-link" || record pass "files:escape:write-through-dir-link"
[[ "$(cat "$work/secret.txt")" == "TOP SECRET" ]] && record pass "files:secret-unchanged" || record fail "files:secret-unchanged"

cd /
stop_server "$pid" "$work/server.log" files-server
exit 0
