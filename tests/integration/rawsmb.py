"""A minimal raw SMB2 client for the attack tests: hand-built messages over a
plain TCP socket (optionally from a chosen source address), so a test can
pipeline requests, build compounds and logons that a real client would
never send. NTLMSSP messages come from impacket's ntlm module. Unsigned and
unencrypted only: tests use SMB 2.1 sessions without signing required."""
import socket
import struct
import time

from impacket import ntlm

NEGOTIATE, SESSION_SETUP, LOGOFF, TREE_CONNECT, TREE_DISCONNECT, CREATE, CLOSE = 0, 1, 2, 3, 4, 5, 6
ECHO = 13
FLAGS_RELATED = 0x04
STATUS_SUCCESS = 0
STATUS_MORE_PROCESSING_REQUIRED = 0xC0000016
STATUS_LOGON_FAILURE = 0xC000006D
STATUS_USER_SESSION_DELETED = 0xC0000203
STATUS_ACCESS_DENIED = 0xC0000022


def header(cmd, mid, sid=0, tid=0, flags=0, credits=16, next_cmd=0):
    return (b'\xfeSMB' + struct.pack('<HHIHHIIQIIQ', 64, 1, 0, cmd, credits, flags, next_cmd, mid, 0, tid, sid) +
            b'\0' * 16)


def compound(msgs):
    """Chains (header+body) messages: NextCommand set, each padded to 8."""
    out = b''
    for i, m in enumerate(msgs):
        if i < len(msgs) - 1:
            m = m + b'\0' * (-len(m) % 8)
            m = m[:20] + struct.pack('<I', len(m)) + m[24:]
        out += m
    return out


class Reply:
    def __init__(self, raw):
        self.raw = raw
        self.status, = struct.unpack_from('<I', raw, 8)
        self.cmd, = struct.unpack_from('<H', raw, 12)
        self.flags, = struct.unpack_from('<I', raw, 16)
        self.next, = struct.unpack_from('<I', raw, 20)
        self.mid, = struct.unpack_from('<Q', raw, 24)
        self.tid, = struct.unpack_from('<I', raw, 36)
        self.sid, = struct.unpack_from('<Q', raw, 40)
        self.body = raw[64:]

    def split(self):
        """The replies of a compound."""
        out, off = [], 0
        while True:
            r = Reply(self.raw[off:])
            out.append(r)
            if not r.next:
                return out
            off += r.next


class Conn:
    def __init__(self, port, src=None, timeout=20):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if src:
            self.s.bind((src, 0))
        self.s.settimeout(timeout)
        self.s.connect(('127.0.0.1', port))
        self.mid = 0

    def next_mid(self):
        self.mid += 1
        return self.mid - 1

    def send_raw(self, data):
        self.s.sendall(data)

    def frame(self, msg):
        return struct.pack('>I', len(msg)) + msg

    def send(self, *msgs):
        self.s.sendall(b''.join(self.frame(m) for m in msgs))

    def _read(self, n):
        b = b''
        while len(b) < n:
            chunk = self.s.recv(n - len(b))
            if not chunk:
                raise ConnectionError('closed by the server')
            b += chunk
        return b

    def recv(self):
        n, = struct.unpack('>I', self._read(4))
        return Reply(self._read(n & 0xFFFFFF))

    def recv_not_interim(self):
        while True:
            r = self.recv()
            if not (r.flags & 0x2 and r.status == 0x103):  # async STATUS_PENDING
                return r

    def close(self, reset=False):
        if reset:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.s.close()

    # --- messages ---
    def negotiate(self, dialect=0x0210):
        body = struct.pack('<HHHHI16sIHH', 36, 1, 1, 0, 0x7F, b'rawsmb-client-id', 0, 0, 0) + struct.pack('<H', dialect)
        self.send(header(NEGOTIATE, self.next_mid()) + body)
        r = self.recv()
        assert r.status == 0, hex(r.status)
        return r

    @staticmethod
    def session_setup_msg(mid, sid, token):
        body = struct.pack('<HBBIIHHQ', 25, 0, 1, 0, 0, 64 + 24, len(token), 0) + token
        return header(SESSION_SETUP, mid, sid) + body

    def ntlm_first_leg(self, sid=0):
        """NTLMSSP NEGOTIATE (raw, no SPNEGO). Returns (sid, type1, challenge)."""
        t1 = ntlm.getNTLMSSPType1('', '', signingRequired=False)
        self.send(self.session_setup_msg(self.next_mid(), sid, t1.getData()))
        r = self.recv()
        assert r.status == STATUS_MORE_PROCESSING_REQUIRED, hex(r.status)
        off, n = struct.unpack_from('<HH', r.body, 4)
        return r.sid, t1, r.raw[off:off + n]

    def authenticate_msg(self, sid, t1, challenge, user, password, domain='WORKGROUP'):
        t3, _ = ntlm.getNTLMSSPType3(t1, challenge, user, password, domain)
        return self.session_setup_msg(self.next_mid(), sid, t3.getData())

    def logon(self, user, password):
        """A whole logon; returns (status, session id, seconds the last reply took)."""
        sid, t1, chal = self.ntlm_first_leg()
        msg = self.authenticate_msg(sid, t1, chal, user, password)
        t = time.monotonic()
        self.send(msg)
        r = self.recv()
        return r.status, sid, time.monotonic() - t

    def anonymous_logon(self):
        sid, t1, chal = self.ntlm_first_leg()
        t3, _ = ntlm.getNTLMSSPType3(t1, chal, '', '', '')
        self.send(self.session_setup_msg(self.next_mid(), sid, t3.getData()))
        return self.recv().status

    @staticmethod
    def tree_connect_msg(mid, sid, path, flags=0):
        p = path.encode('utf-16-le')
        return header(TREE_CONNECT, mid, sid, flags=flags) + struct.pack('<HHHH', 9, 0, 64 + 8, len(p)) + p

    @staticmethod
    def logoff_msg(mid, sid):
        return header(LOGOFF, mid, sid) + struct.pack('<HH', 4, 0)

    @staticmethod
    def echo_msg(mid):
        return header(ECHO, mid) + struct.pack('<HH', 4, 0)
