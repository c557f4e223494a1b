#!/usr/bin/env bash
# Installs what is missing, builds smb3d and runs every test:
#   1. a -Werror build (build/) and an ASan+UBSan build (build-asan/)
#   2. the cmocka unit tests under ASan+UBSan
#   3. each libFuzzer target for a short run (FUZZ_SECONDS, default 10)
#   4. smbclient sessions against smb3d as root (--config, users mapped to
#      Unix accounts) and as an ordinary user (smb3d serve, under setpriv),
#      and file operations (1 GiB put/get, trees, escapes) through smbclient
#   5. a client holding a lease without acknowledging its break while others
#      are served (tests/integration/breaks.sh, break_wait.py)
#   6. attacks over raw SMB2 (tests/integration/attack_*.sh): password
#      guessing and session abuse, each refused or bounded
#   7. the Linux kernel client (cifs.ko, Debian's kernel in qemu, through
#      ../shared/cifs-vm) mounting smb3d with five vers/option sets as root
#      and once under `smb3d serve` (tests/integration/cifs.sh)
#   8. the smbtorture suites in tests/integration/torture-suites.txt, with
#      tests/integration/knownfail (an unexpected pass also fails)
# Needs root (to install packages and to test the root mode); re-runs itself
# with sudo. The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
	exec sudo -E "$0" "$@"
fi
scripts/deps.sh test || { echo "could not install the test dependencies"; echo "0 passed, 1 failed"; exit 1; }

export SMB3D_RESULTS=$(mktemp /tmp/smb3d-results.XXXXXX)
record() { echo "$1 $2" >>"$SMB3D_RESULTS"; [[ $1 == pass ]] || echo "FAIL: $2" >&2; }
step() { echo "== $*" >&2; }

step "build (-Werror)"
# build/ is the tests' own; one configured otherwise (an older serve.sh made
# a release build there) is made again
if [[ -f build/build.ninja ]] && ! meson introspect --buildoptions build 2>/dev/null |
	/usr/bin/python3 -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(sys.stdin)}; sys.exit(0 if o["buildtype"]=="debug" and o["tests"] else 1)'; then
	rm -rf build
fi
if [[ ! -f build/build.ninja ]]; then
	meson setup build -Dwerror=true >/dev/null || record fail build-setup
else
	meson configure build -Dwerror=true -Dtests=true >/dev/null
fi
if ninja -C build >/tmp/smb3d-build.log 2>&1; then record pass build; else cat /tmp/smb3d-build.log; record fail build; fi

step "build (ASan+UBSan)"
if [[ ! -f build-asan/build.ninja ]]; then
	meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=undefined >/dev/null || record fail asan-setup
fi
if ninja -C build-asan >/tmp/smb3d-build-asan.log 2>&1; then record pass build-asan; else cat /tmp/smb3d-build-asan.log; record fail build-asan; fi

step "unit tests (ASan+UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
meson test -C build-asan --suite unit --print-errorlogs >/tmp/smb3d-unit.log 2>&1
python3 - build-asan/meson-logs/testlog.json <<'PY' >>"$SMB3D_RESULTS"
import json, sys
try:
    for line in open(sys.argv[1]):
        t = json.loads(line)
        print(("pass" if t["result"] == "OK" else "fail"), "unit:" + t["name"])
except FileNotFoundError:
    print("fail unit:no-results")
PY
grep -E '^ *[0-9]+/[0-9]+ ' /tmp/smb3d-unit.log >&2 || cat /tmp/smb3d-unit.log >&2

step "fuzz smoke runs"
tests/run-fuzz.sh "${FUZZ_SECONDS:-10}"

step "integration: smbclient (root mode and smb3d serve)"
tests/integration/smbclient.sh build-asan/smb3d

step "integration: file operations through smbclient"
tests/integration/files.sh build-asan/smb3d

step "integration: break waits (an unacknowledged lease blocks no event loop)"
tests/integration/breaks.sh build-asan/smb3d

step "integration: access parameters (hosts allow/deny, available, read/write list)"
tests/integration/access.sh build-asan/smb3d

step "integration: attacks (password guessing, sessions, parked requests, resource limits)"
tests/integration/attack_logon.sh build-asan/smb3d
tests/integration/attack_park.sh build-asan/smb3d
tests/integration/attack_limits.sh build-asan/smb3d

step "integration: the Linux kernel client (cifs.ko in qemu, ../shared/cifs-vm)"
tests/integration/cifs.sh build-asan/smb3d

step "integration: smbtorture"
tests/integration/torture.sh build-asan/smb3d

pass=$(grep -c '^pass ' "$SMB3D_RESULTS")
fail=$(grep -c '^fail ' "$SMB3D_RESULTS")
if ((fail > 0)); then
	echo "failed:" >&2
	grep '^fail ' "$SMB3D_RESULTS" | sed 's/^fail /  /' >&2
fi
rm -f "$SMB3D_RESULTS"
echo "$pass passed, $fail failed"
((fail == 0))
