#!/usr/bin/python3
"""Hostile clients against parked requests (issue 14, item 1): a client logs
on, opens what it needs, then sends a burst of requests that the server parks
(CHANGE_NOTIFY on a directory, blocking LOCKs on a range a holder connection
keeps locked, CREATEs that must wait for the holder's batch oplock to break,
the async-sleep test IOCTL, and all of them mixed), each burst as one write,
and resets the connection (SO_LINGER 0) at once or a few milliseconds later.
The server must survive every round, keep serving the holder, and serve a new
client within a second at the end.

SMB2 is spoken over a raw TCP socket (SMB 2.1, unsigned) so the bursts and
the reset are exactly as written; impacket (Debian python3-impacket) only
builds the NTLMSSP/SPNEGO logon tokens.

Usage: attack_park.py HOST PORT SHARE USER PASSWORD ROUNDS [KINDS]
KINDS: comma-separated, of notify, lock, create, ioctl, mixed (default all).
Prints "attack_park: ok ..." on success; exits non-zero with the reason."""
import random
import socket
import struct
import sys
import time

from impacket import ntlm
from impacket.spnego import SPNEGO_NegTokenInit, SPNEGO_NegTokenResp, TypesMech

NEGOTIATE, SESSION_SETUP, TREE_CONNECT, CREATE, CLOSE = 0, 1, 3, 5, 6
LOCK, IOCTL, ECHO, CHANGE_NOTIFY, OPLOCK_BREAK = 10, 11, 13, 15, 18
STATUS_PENDING = 0x00000103
STATUS_MORE_PROCESSING_REQUIRED = 0xC0000016
FLAGS_SERVER_TO_REDIR, FLAGS_ASYNC = 0x1, 0x2
RW = 0x1 | 0x2 | 0x80  # FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_ATTRIBUTES
SHARE_ALL = 0x7
FILE_OPEN, FILE_OPEN_IF = 1, 3
DIRECTORY_FILE, NON_DIRECTORY_FILE = 0x1, 0x40
OPLOCK_BATCH = 0x09
LOCK_EXCLUSIVE, LOCK_FAIL_IMMEDIATELY = 0x2, 0x10
FSCTL_SMBTORTURE_FSP_ASYNC_SLEEP = 0x83848043
BURST = 48
MAX_LATENCY = 1.0  # seconds, for a whole new client's logon and first open


def fail(why):
    sys.exit('attack_park: ' + why)


class Smb:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.mid = 0
        self.sid = 0
        self.tid = 0
        self.unsolicited = []  # break notifications that arrived meanwhile

    def message(self, cmd, body, credits=256):
        hdr = struct.pack('<4sHHIHHIIQIIQ16s', b'\xfeSMB', 64, 1, 0, cmd, credits, 0, 0, self.mid, 0, self.tid,
                          self.sid, b'\0' * 16)
        self.mid += 1
        return hdr + body

    def frame(self, cmd, body, credits=256):
        m = self.message(cmd, body, credits)
        return struct.pack('>I', len(m)) + m

    def recv(self):
        def exact(n):
            b = b''
            while len(b) < n:
                chunk = self.sock.recv(n - len(b))
                if not chunk:
                    raise ConnectionError('server closed the connection')
                b += chunk
            return b
        n = struct.unpack('>I', exact(4))[0] & 0xFFFFFF
        return exact(n)

    def call(self, cmd, body):
        mid = self.mid
        self.sock.sendall(self.frame(cmd, body))
        while True:
            r = self.recv()
            status, rcmd, flags, rmid = struct.unpack_from('<I H 2x I 4x Q', r, 8)
            if rmid != mid or rcmd != cmd:
                self.unsolicited.append(r)
                continue
            if status == STATUS_PENDING and flags & FLAGS_ASYNC:
                continue  # the interim reply; the final one follows
            return status, r

    def logon(self, user, password):
        neg = struct.pack('<HHHHI16sIHH', 36, 1, 1, 0, 0x7F, b'attack-park-0123', 0, 0, 0) + struct.pack('<H', 0x0210)
        st, _ = self.call(NEGOTIATE, neg)
        if st:
            fail('NEGOTIATE: 0x%08x' % st)
        t1 = ntlm.getNTLMSSPType1('', '', False)
        init = SPNEGO_NegTokenInit()
        init['MechTypes'] = [TypesMech['NTLMSSP - Microsoft NTLM Security Support Provider']]
        init['MechToken'] = t1.getData()
        st, r = self.call(SESSION_SETUP, self.setup_body(init.getData()))
        if st != STATUS_MORE_PROCESSING_REQUIRED:
            fail('SESSION_SETUP 1: 0x%08x' % st)
        self.sid = struct.unpack_from('<Q', r, 40)[0]
        off, ln = struct.unpack_from('<HH', r, 64 + 4)
        t2 = SPNEGO_NegTokenResp(r[off:off + ln])['ResponseToken']
        t3, _ = ntlm.getNTLMSSPType3(t1, t2, user, password, '')
        resp = SPNEGO_NegTokenResp()
        resp['ResponseToken'] = t3.getData()
        st, _ = self.call(SESSION_SETUP, self.setup_body(resp.getData()))
        if st:
            fail('SESSION_SETUP 2: 0x%08x' % st)

    @staticmethod
    def setup_body(tok):
        return struct.pack('<HBBIIHHQ', 25, 0, 1, 0, 0, 64 + 24, len(tok), 0) + tok

    def tree(self, host, share):
        path = ('\\\\%s\\%s' % (host, share)).encode('utf-16-le')
        st, r = self.call(TREE_CONNECT, struct.pack('<HHHH', 9, 0, 64 + 8, len(path)) + path)
        if st:
            fail('TREE_CONNECT: 0x%08x' % st)
        self.tid = struct.unpack_from('<I', r, 36)[0]

    @staticmethod
    def create_body(name, access, disposition, options, oplock=0):
        n = name.encode('utf-16-le')
        body = struct.pack('<HBBIQQIIIIIHHII', 57, 0, oplock, 2, 0, 0, access, 0x80, SHARE_ALL, disposition,
                           options, 64 + 56, len(n), 0, 0)
        return body + (n if n else b'\0')

    def create(self, name, access, disposition, options, oplock=0):
        st, r = self.call(CREATE, self.create_body(name, access, disposition, options, oplock))
        if st:
            fail('CREATE %r: 0x%08x' % (name, st))
        return r[64 + 2], r[64 + 64:64 + 80]  # oplock level, FileId

    def close(self, fid):
        self.call(CLOSE, struct.pack('<HHI', 24, 0, 0) + fid)

    def echo(self):
        st, _ = self.call(ECHO, struct.pack('<HH', 4, 0))
        if st:
            fail('ECHO: 0x%08x' % st)

    def reset(self):
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.sock.close()


def notify_body(fid):
    return struct.pack('<HHI16sII', 32, 1, 4096, fid, 0x17F, 0)


def lock_body(fid, flags):
    return struct.pack('<HHI16sQQII', 48, 1, 0, fid, 0, 100, flags, 0)


def sleep_body(fid):
    return struct.pack('<HHI16sIIIIIIII', 57, 0, FSCTL_SMBTORTURE_FSP_ASYNC_SLEEP, fid, 64 + 56, 1, 0, 0, 0, 0,
                       1, 0) + bytes([100])


def main():
    if len(sys.argv) not in (7, 8):
        sys.exit(__doc__)
    host, port, share, user, password, rounds = sys.argv[1:7]
    port, rounds = int(port), int(rounds)

    def client():
        c = Smb(host, port)
        c.logon(user, password)
        c.tree(host, share)
        return c

    # the holder: keeps a byte range locked and a batch oplock it never
    # acknowledges the break of, so that the attackers' requests wait
    holder = client()
    _, locked = holder.create('locked', RW, FILE_OPEN_IF, NON_DIRECTORY_FILE)
    st, _ = holder.call(LOCK, lock_body(locked, LOCK_EXCLUSIVE | LOCK_FAIL_IMMEDIATELY))
    if st:
        fail('holder LOCK: 0x%08x' % st)
    level, _ = holder.create('batch', RW, FILE_OPEN_IF, NON_DIRECTORY_FILE, OPLOCK_BATCH)
    if level != OPLOCK_BATCH:
        fail('holder got oplock level 0x%x, not batch' % level)
    holder.create('sleepy', RW, FILE_OPEN_IF, NON_DIRECTORY_FILE)

    def burst_of(kind, c):
        if kind == 'notify':
            _, d = c.create('', 0x1 | 0x100000, FILE_OPEN, DIRECTORY_FILE)
            return [c.frame(CHANGE_NOTIFY, notify_body(d), 1) for _ in range(BURST)]
        if kind == 'lock':
            _, f = c.create('locked', RW, FILE_OPEN, NON_DIRECTORY_FILE)
            return [c.frame(LOCK, lock_body(f, LOCK_EXCLUSIVE), 1) for _ in range(BURST)]
        if kind == 'create':
            body = Smb.create_body('batch', RW, FILE_OPEN, NON_DIRECTORY_FILE)
            return [c.frame(CREATE, body, 1) for _ in range(BURST)]
        if kind == 'ioctl':
            _, f = c.create('sleepy', RW, FILE_OPEN, NON_DIRECTORY_FILE)
            return [c.frame(IOCTL, sleep_body(f), 1) for _ in range(BURST)]
        # mixed: every kind in one write, interleaved
        parts = [burst_of(k, c) for k in ('notify', 'lock', 'create', 'ioctl')]
        return [f for group in zip(*parts) for f in group]

    kinds = ('notify', 'lock', 'create', 'ioctl', 'mixed')
    if len(sys.argv) == 8:
        kinds = tuple(sys.argv[7].split(','))
    rng = random.Random(14)
    for i in range(rounds):
        for kind in kinds:
            try:
                c = client()
            except (OSError, ConnectionError) as e:
                fail('server gone before %s round %d: %s' % (kind, i, e))
            frames = burst_of(kind, c)
            c.sock.sendall(b''.join(frames))
            # at once: the server reads the burst and its first interim reply
            # fails; a little later: the requests are parked when the reset comes
            if i % 3:
                time.sleep(rng.uniform(0, 0.004))
            c.reset()

    try:
        holder.echo()
    except (OSError, ConnectionError) as e:
        fail('the holder connection is gone: %s' % e)
    t0 = time.monotonic()
    try:
        c = client()
        _, f = c.create('after', RW, FILE_OPEN_IF, NON_DIRECTORY_FILE)
        c.close(f)
        c.echo()
    except (OSError, ConnectionError) as e:
        fail('a new client is not served: %s' % e)
    took = time.monotonic() - t0
    if took > MAX_LATENCY:
        fail('a new client took %.3f s to log on and open a file' % took)
    print('attack_park: ok %d rounds of %s bursts of %d, a new client served in %.3f s' %
          (rounds, '/'.join(kinds), BURST, took))


if __name__ == '__main__':
    main()
