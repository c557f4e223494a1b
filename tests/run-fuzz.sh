#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for a
# short time (seconds per target: $1, default 10), starting from the seed
# corpus in tests/fuzz/seeds/NAME if there is one. Records results in
# $SMB3D_RESULTS when set.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
record() { [[ -n "${SMB3D_RESULTS:-}" ]] && echo "$1 $2" >>"$SMB3D_RESULTS"; [[ $1 == pass ]] || echo "FAIL: $2" >&2; }
if [[ ! -f build-fuzz/build.ninja ]]; then
	CC=clang CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
		meson setup build-fuzz -Dfuzz=true -Dtests=false -Db_lundef=false >/dev/null || { record fail fuzz-setup; exit 1; }
fi
if ! ninja -C build-fuzz >/tmp/smb3d-fuzz-build.log 2>&1; then
	cat /tmp/smb3d-fuzz-build.log
	record fail fuzz-build
	exit 1
fi
for f in $(find build-fuzz/tests/fuzz -maxdepth 1 -name "fuzz_*" -type f -executable | sort); do
	[[ -x $f && -f $f ]] || continue
	name=${f##*/fuzz_}
	work=$(mktemp -d)
	seeds=tests/fuzz/seeds/$name
	[[ -d $seeds ]] || seeds=
	mkdir -p "$work/corpus"
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/" "$work/corpus" \
		${seeds:+"$seeds"} >"$work/log" 2>&1; then
		record pass "fuzz:$name"
	else
		tail -40 "$work/log" >&2
		mkdir -p fuzz-artifacts && cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* fuzz-artifacts/ 2>/dev/null
		record fail "fuzz:$name"
	fi
	rm -rf "$work"
done
