# Extra guest steps for ../shared/cifs-vm/run-cifs-vm.sh (CIFSVM_GUEST_SCRIPT),
# sourced by the guest's busybox sh after the built-in workload. See
# tests/integration/cifs.sh. Available: $M (mount point), $W (scratch dir on
# the share), run_step NAME FUNC, fail "msg", DETAIL, dropcaches.
#
# File times a build can trust: a time the client sets explicitly on a file
# (touch -d; and `cmd > file`, after which the Linux client sets the last
# write time itself) must be the time on the server once every handle is
# closed and the delayed write-time window ([MS-FSA] 2.1.4.17) has passed.

# mtime with nanoseconds, as "YYYY-MM-DD HH:MM:SS.NNNNNNNNN"
mt() { stat -c %y "$1" | cut -c1-29; }

# closetimeo=1 defers the close by a second; the write-time update window is
# two seconds: wait past both, then make the client ask the server again.
settle() { sleep 4; dropcaches; }

st_times_touch() {
    d="$W/times_touch"
    mkdir -p "$d" || { fail "mkdir"; return 1; }
    want=$(date -d "2020-01-02 03:04:05" +%s) || { fail "date -d"; return 1; }
    echo hello > "$d/a" && touch -d "2020-01-02 03:04:05" "$d/a" || { fail "touch -d"; return 1; }
    # written and given a time while still open for writing
    { echo one; touch -d "2020-01-02 03:04:05" "$d/b"; echo two; } > "$d/b" 2>/dev/null
    touch -d "2020-01-02 03:04:05" "$d/b"
    settle
    for f in a b; do
        got=$(stat -c %Y "$d/$f")
        [ "$got" = "$want" ] || { fail "$f: mtime $got, want $want (touch -d 2020-01-02 03:04:05)"; return 1; }
    done
    DETAIL="touch -d times kept after close and the write-time window (2 files)"
}

# mtime in nanoseconds since the epoch (busybox sh arithmetic is 64-bit)
mtns() { echo "$(stat -c %Y "$1")$(stat -c %y "$1" | cut -c21-29)"; }

# `cmd > file`: the Linux client truncates, sets the last write time itself
# (SET_INFO), then writes and closes a second later. The time it set is the
# client's clock, as is the time it shows before it closes: the server must
# end up within a fraction of a second of that, not at its own close time,
# and stay there past the write-time window.
st_times_redirect() {
    d="$W/times_redirect"
    mkdir -p "$d" || { fail "mkdir"; return 1; }
    i=0
    while [ $i -lt 5 ]; do
        date > "$d/r$i" || { fail "write r$i"; return 1; }
        eval "seen$i=$(mtns "$d/r$i")"
        i=$((i + 1))
    done
    settle
    i=0
    while [ $i -lt 5 ]; do
        eval "s=\$seen$i"
        g=$(mtns "$d/r$i")
        eval "got$i=$g"
        off=$(( (g - s) / 1000000 ))
        [ $off -gt -500 ] && [ $off -lt 500 ] ||
            { fail "r$i: the server's time is $off ms from the one the client set ($(mt "$d/r$i"))"; return 1; }
        i=$((i + 1))
    done
    settle
    i=0
    while [ $i -lt 5 ]; do
        eval "g=\$got$i"
        [ "$(mtns "$d/r$i")" = "$g" ] || { fail "r$i: the time moved after the write-time window"; return 1; }
        i=$((i + 1))
    done
    DETAIL="cmd > file: 5 files keep the time the client set (within 500 ms), also after the window"
}

st_make_order() {
    d="$W/make_order"
    mkdir -p "$d" || { fail "mkdir"; return 1; }
    i=0
    while [ $i -lt 20 ]; do
        echo "int v$i = $i;" > "$d/s$i.c" || { fail "write s$i.c"; return 1; }
        cat "$d/s$i.c" > "$d/s$i.o" || { fail "build s$i.o"; return 1; }
        i=$((i + 1))
    done
    settle
    i=0
    while [ $i -lt 20 ]; do
        s=$(mt "$d/s$i.c")
        o=$(mt "$d/s$i.o")
        # the object must not be older than its source (same string order as time)
        if [ "$(printf '%s\n%s\n' "$s" "$o" | sort | head -n1)" != "$s" ]; then
            fail "pair $i: s$i.o ($o) is older than s$i.c ($s)"
            return 1
        fi
        i=$((i + 1))
    done
    DETAIL="20 source/object pairs keep their order after close"
}

# Every CIFS error the client logged since boot (the mount's DFS referral
# request used to log one on every mount).
st_cifs_errors() {
    n=$(dmesg | grep -c 'CIFS: VFS:')
    if [ "$n" != 0 ]; then
        fail "$n CIFS VFS messages, last: $(dmesg | grep 'CIFS: VFS:' | tail -n1)"
        return 1
    fi
    DETAIL="no CIFS VFS messages in the kernel log"
}

run_step times_touch st_times_touch
run_step times_redirect st_times_redirect
run_step make_order st_make_order
run_step cifs_errors st_cifs_errors
