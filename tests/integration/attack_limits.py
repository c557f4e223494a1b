#!/usr/bin/python3
"""Hostile clients against a running smb3d (issue 14, items 2, 3, 4, 6):
each phase attacks, checks that the server bounds or refuses it, that another
client (impacket, an independent implementation) logs on and lists the share
within a second meanwhile, and that the server's memory (VmRSS) and
descriptors (/proc/PID/fd) stay within the limits docs/security.md gives.
Unauthenticated attacks use raw SMB2 over TCP sockets.

Usage: attack_limits.py PHASE HOST PORT SHARE USER PASSWORD PID [ARGS]
Prints "pass NAME" or "fail NAME: why" lines (attack_limits.sh records them)
and a figures line per phase."""
import os
import select
import socket
import struct
import sys
import time

from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection

MAX_LATENCY = 1.0  # seconds for another client's logon and listing

ST_MORE_PROCESSING = 0xC0000016
ST_INSUFFICIENT_RESOURCES = 0xC000009A
ST_TOO_MANY_OPENED_FILES = 0xC000011F
ST_PENDING = 0x00000103

results = []


def report(ok, name, why=''):
    print(('pass ' if ok else 'fail ') + name + ('' if ok or not why else ': ' + why), flush=True)


# ---- the server process ----------------------------------------------------

def rss_mb(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    return -1.0


def n_fds(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


# ---- raw SMB2 (unauthenticated attacks) -----------------------------------

def hdr(cmd, mid, sid=0, credits=64):
    return struct.pack('<4sHHIHHIIQIIQ16s', b'\xfeSMB', 64, 1, 0, cmd, credits, 0, 0, mid, 0, 0, sid, b'\0' * 16)


def frame(msg):
    return struct.pack('>I', len(msg)) + msg


def negotiate_msg(mid=0):
    body = struct.pack('<HHHHI16sQH', 36, 1, 1, 0, 0, os.urandom(16), 0, 0x0210)
    return hdr(0, mid) + body


NTLM_NEGOTIATE = b'NTLMSSP\0' + struct.pack('<II', 1, 0xE2088297) + b'\0' * 16 + b'\x06\x01\xb1\x1d\0\0\0\x0f'


def sess_setup_msg(mid, sid=0, token=NTLM_NEGOTIATE):
    body = struct.pack('<HBBIIHHQ', 25, 0, 1, 0, 0, 64 + 24, len(token), 0) + token
    return hdr(1, mid, sid) + body


def echo_msg(mid):
    return hdr(13, mid) + struct.pack('<HH', 4, 0)


def recv_exact(s, n):
    buf = b''
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError('closed by the server')
        buf += chunk
    return buf


def recv_msg(s):
    n = struct.unpack('>I', recv_exact(s, 4))[0] & 0xFFFFFF
    return recv_exact(s, n)


def status(msg):
    return struct.unpack_from('<I', msg, 8)[0]


def half_logon(host, port):
    """NEGOTIATE and one NTLM leg, no credentials: a session in progress."""
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(frame(negotiate_msg(0)))
    recv_msg(s)
    s.sendall(frame(sess_setup_msg(1)))
    r = recv_msg(s)
    if status(r) != ST_MORE_PROCESSING:
        raise ConnectionError('first leg: status %#x' % status(r))
    return s


def count_closed(socks, wait):
    """How many of socks the server closes within `wait` seconds (all
    watched together)."""
    left, closed = set(socks), 0
    deadline = time.monotonic() + wait
    while left and time.monotonic() < deadline:
        ready, _, _ = select.select(list(left), [], [], max(0.0, deadline - time.monotonic()))
        for s in ready:
            try:
                data = s.recv(65536)
            except OSError:
                data = b''
            if not data:
                left.discard(s)
                closed += 1
    return closed


# ---- another client ---------------------------------------------------------

def probe(a):
    """Another client logs on, connects the share and lists it: seconds."""
    t0 = time.monotonic()
    conn = SMBConnection(a.host, a.host, sess_port=a.port, timeout=10)
    conn.login(a.user, a.password)
    conn.listPath(a.share, '*')
    conn.logoff()
    conn.close()
    return time.monotonic() - t0


def check_probe(a, name):
    try:
        t = probe(a)
        report(t < MAX_LATENCY, name, 'another client took %.2f s' % t)
        return t
    except Exception as e:  # noqa: BLE001 (any failure of the probe fails the check)
        report(False, name, 'another client failed: %s' % e)
        return -1


# ---- phases -----------------------------------------------------------------

def phase_halfauth(a):
    """Item 2: connections that send one NTLM leg and then ECHOs are closed
    after the logon timeout; beyond the pre-auth budget the oldest go at
    once; descriptors come back."""
    n, timeout_s, budget = int(a.args[0]), int(a.args[1]), int(a.args[2])
    fds0 = n_fds(a.pid)
    socks, refused = [], 0
    for _ in range(n):
        try:
            socks.append(half_logon(a.host, a.port))
        except (OSError, ConnectionError):
            refused += 1
    fds_held = n_fds(a.pid)
    report(fds_held <= fds0 + budget + 8, 'halfauth:descriptors-bounded',
           '%d descriptors with %d half-logons (budget %d)' % (fds_held, n, budget))
    t = check_probe(a, 'halfauth:other-client-served')
    # keep them looking alive: ECHOs do not extend the logon timer
    t0 = time.monotonic()
    mid = 2
    while time.monotonic() - t0 < timeout_s + 1.5:
        for s in socks:
            try:
                s.sendall(frame(echo_msg(mid)))
            except OSError:
                pass
        mid += 1
        time.sleep(0.5)
    open_left = len(socks) - count_closed(socks, 0.5)
    report(open_left == 0, 'halfauth:closed-after-logon-timeout',
           '%d of %d connections still open %.1f s after their logon' % (open_left, len(socks), timeout_s + 1.5))
    for s in socks:
        s.close()
    time.sleep(0.3)
    fds_after = n_fds(a.pid)
    report(fds_after <= fds0 + 4, 'halfauth:descriptors-returned', '%d descriptors, %d before' % (fds_after, fds0))
    print('figures halfauth: %d connections (%d refused/evicted at setup), fds %d -> %d -> %d, probe %.2f s'
          % (n, refused, fds0, fds_held, fds_after, t), flush=True)


def phase_bigframe(a):
    """Item 3: after a first NTLM leg, a frame announced at 8 MiB is refused
    at once (the cap stays 64 KiB until a logon); memory stays put."""
    n = int(a.args[0])
    rss0 = rss_mb(a.pid)
    socks = []
    for _ in range(n):
        s = half_logon(a.host, a.port)
        s.sendall(struct.pack('>I', 8 * 1024 * 1024) + hdr(9, 2) + b'\0' * (60 * 1024))
        socks.append(s)
    closed = count_closed(socks, 3.0)
    report(closed == n, 'bigframe:refused', '%d of %d connections kept an 8 MiB frame' % (n - closed, n))
    rss1 = rss_mb(a.pid)
    report(rss1 - rss0 < 64, 'bigframe:memory-bounded', 'RSS %.0f -> %.0f MB' % (rss0, rss1))
    check_probe(a, 'bigframe:other-client-served')
    for s in socks:
        s.close()
    print('figures bigframe: %d connections, RSS %.0f -> %.0f MB' % (n, rss0, rss1), flush=True)


def phase_sessions(a):
    """Item 4: one connection sends many SessionId 0 SESSION_SETUPs: a few
    are taken, the rest get STATUS_INSUFFICIENT_RESOURCES; closing it is
    quick (another client is served right after)."""
    n, cap = int(a.args[0]), int(a.args[1])
    rss0 = rss_mb(a.pid)
    s = socket.create_connection((a.host, a.port), timeout=10)
    s.sendall(frame(negotiate_msg(0)))
    recv_msg(s)
    counts = {}
    mid = 1
    batch = 50  # within the credits each reply grants
    while mid <= n:
        k = min(batch, n - mid + 1)
        s.sendall(b''.join(frame(sess_setup_msg(mid + i)) for i in range(k)))
        for _ in range(k):
            st = status(recv_msg(s))
            counts[st] = counts.get(st, 0) + 1
        mid += k
    ok = counts.get(ST_MORE_PROCESSING, 0) == cap and counts.get(ST_INSUFFICIENT_RESOURCES, 0) == n - cap
    report(ok, 'sessions:in-progress-capped', 'statuses %s' % {hex(k): v for k, v in counts.items()})
    rss1 = rss_mb(a.pid)
    report(rss1 - rss0 < 32, 'sessions:memory-bounded', 'RSS %.0f -> %.0f MB' % (rss0, rss1))
    s.close()
    check_probe(a, 'sessions:other-client-served-after-close')
    print('figures sessions: %d SESSION_SETUPs, RSS %.0f -> %.0f MB' % (n, rss0, rss1), flush=True)


def open_file(tree, conn, name, disposition=s3.FILE_OPEN_IF):
    return conn.getSMBServer().create(tree, name, s3.FILE_READ_DATA | s3.FILE_READ_ATTRIBUTES,
                                      s3.FILE_SHARE_READ | s3.FILE_SHARE_WRITE | s3.FILE_SHARE_DELETE,
                                      s3.FILE_NON_DIRECTORY_FILE, disposition, s3.FILE_ATTRIBUTE_NORMAL)


def nt_status(e):
    get = getattr(e, 'getErrorCode', None) or getattr(e, 'get_error_code', None)
    return get() & 0xFFFFFFFF if get else None


def close_quiet(conn, tree, fid):
    """impacket forgets a name's second open only after the server closed it
    (a KeyError then): the CLOSE itself went through."""
    try:
        conn.closeFile(tree, fid)
    except KeyError:
        pass


def phase_opens(a):
    """Item 6: one session opens one file many times: `max open files` are
    granted, the rest get STATUS_TOO_MANY_OPENED_FILES; descriptors stay
    bounded and another client still opens files."""
    n, limit = int(a.args[0]), int(a.args[1])
    fds0 = n_fds(a.pid)
    # SMB 2.1: replies in clear, read below without impacket's recvSMB
    conn = SMBConnection(a.host, a.host, sess_port=a.port, timeout=10, preferredDialect=s3.SMB2_DIALECT_21)
    conn.login(a.user, a.password)
    tree = conn.connectTree(a.share)
    fids, other = [], {}
    for _ in range(n):
        try:
            fids.append(open_file(tree, conn, 'victim.txt'))
        except Exception as e:  # noqa: BLE001
            st = nt_status(e)
            other[st] = other.get(st, 0) + 1
    ok = len(fids) == limit and other.get(ST_TOO_MANY_OPENED_FILES, 0) == n - limit
    report(ok, 'opens:limited', '%d granted, refusals %s' % (len(fids), {hex(k or 0): v for k, v in other.items()}))
    fds1 = n_fds(a.pid)
    report(fds1 <= fds0 + limit + 8, 'opens:descriptors-bounded', '%d descriptors, %d before' % (fds1, fds0))
    check_probe(a, 'opens:other-client-served')
    # another client can still open that file
    try:
        c2 = SMBConnection(a.host, a.host, sess_port=a.port, timeout=10)
        c2.login(a.user, a.password)
        t2 = c2.connectTree(a.share)
        f = open_file(t2, c2, 'victim.txt')
        close_quiet(c2, t2, f)
        c2.logoff()
        report(True, 'opens:other-client-opens')
    except Exception as e:  # noqa: BLE001
        report(False, 'opens:other-client-opens', str(e))
    for f in fids:
        close_quiet(conn, tree, f)
    # waiting CHANGE_NOTIFYs on one directory handle
    srv = conn.getSMBServer()
    d = srv.create(tree, '', s3.FILE_LIST_DIRECTORY | s3.FILE_READ_ATTRIBUTES,
                   s3.FILE_SHARE_READ | s3.FILE_SHARE_WRITE | s3.FILE_SHARE_DELETE, s3.FILE_DIRECTORY_FILE,
                   s3.FILE_OPEN, 0)
    n_notify, async_limit = int(a.args[2]), int(a.args[3])
    rss0 = rss_mb(a.pid)
    counts = {}
    for _ in range(n_notify):
        p = s3.SMB2Packet()
        p['Command'] = s3.SMB2_CHANGE_NOTIFY
        p['TreeID'] = tree
        req = s3.SMB2ChangeNotify()
        req['OutputBufferLength'] = 4096
        req['FileID'] = d
        req['CompletionFilter'] = 0x17
        p['Data'] = req
        srv.sendSMB(p)
        # the first reply: an interim STATUS_PENDING or the refusal
        # (impacket's recvSMB would wait for the final reply)
        r = s3.SMB2Packet(srv._NetBIOSSession.recv_packet(10).get_trailer())
        counts[r['Status']] = counts.get(r['Status'], 0) + 1
    ok = counts.get(ST_PENDING, 0) == async_limit and counts.get(ST_INSUFFICIENT_RESOURCES, 0) == n_notify - async_limit
    report(ok, 'notify:limited', 'statuses %s' % {hex(k): v for k, v in counts.items()})
    rss1 = rss_mb(a.pid)
    report(rss1 - rss0 < 32, 'notify:memory-bounded', 'RSS %.0f -> %.0f MB' % (rss0, rss1))
    check_probe(a, 'notify:other-client-served')
    conn.close()  # the waiting requests go with the connection
    print('figures opens: %d opens (limit %d), fds %d -> %d; %d notifies (limit %d), RSS %.0f -> %.0f MB'
          % (n, limit, fds0, fds1, n_notify, async_limit, rss0, rss1), flush=True)


def phase_fdflood(a):
    """Out of descriptors: logged-on connections take the server's
    descriptors up to its reserve, then a connection flood: new connections
    are refused (or, should accept itself fail, accepting pauses) without
    spinning a core; once they go another client is served again."""
    n_auth, n_flood, fd_limit = int(a.args[0]), int(a.args[1]), int(a.args[2])
    conns = []
    for _ in range(n_auth):
        try:
            c = SMBConnection(a.host, a.host, sess_port=a.port, timeout=3)
            c.login(a.user, a.password)
            conns.append(c)
        except Exception:  # noqa: BLE001 (the server is out of descriptors: that is the point)
            break
    flood = []
    for _ in range(n_flood):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((a.host, a.port))
        flood.append(s)
    time.sleep(0.5)
    fds = n_fds(a.pid)
    report(fds <= fd_limit, 'fdflood:descriptors-within-limit', '%d descriptors, limit %d' % (fds, fd_limit))
    cpu0, t0 = cpu_seconds(a.pid), time.monotonic()
    time.sleep(3.0)
    load = (cpu_seconds(a.pid) - cpu0) / (time.monotonic() - t0)
    report(load < 0.25, 'fdflood:no-spinning', 'server used %.0f%% of a core while out of descriptors' % (100 * load))
    report(alive(a.pid), 'fdflood:server-alive')
    for s in flood:
        s.close()
    for c in conns:
        try:
            c.close()
        except Exception:  # noqa: BLE001
            pass
    time.sleep(1.0)
    check_probe(a, 'fdflood:other-client-served-after')
    print('figures fdflood: %d logged-on connections, %d flood, %d descriptors, %.0f%% CPU'
          % (len(conns), n_flood, fds, 100 * load), flush=True)


class Args:
    pass


def main():
    if len(sys.argv) < 8:
        sys.exit(__doc__)
    a = Args()
    phase = sys.argv[1]
    a.host, a.port, a.share, a.user, a.password = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
    a.pid = int(sys.argv[7])
    a.args = sys.argv[8:]
    fn = {'halfauth': phase_halfauth, 'bigframe': phase_bigframe, 'sessions': phase_sessions,
          'opens': phase_opens, 'fdflood': phase_fdflood}[phase]
    try:
        fn(a)
    except Exception as e:  # noqa: BLE001
        report(False, phase + ':ran', '%s: %s' % (type(e).__name__, e))
    report(alive(a.pid), phase + ':server-alive')


if __name__ == '__main__':
    main()
