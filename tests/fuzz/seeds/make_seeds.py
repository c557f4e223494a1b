#!/usr/bin/env python3
"""Writes seed inputs for the conn, smb2_codecs and rpc_* fuzz targets (run
from this directory). Plain byte strings built from the [MS-SMB2] layouts and,
for DCE/RPC, the C706 12.6 PDU layouts and [MS-SRVS]/[MS-WKST] NDR20 stubs."""
import os
import struct

def hdr(cmd, mid, sid=0, tid=0, credits=1):
    return struct.pack('<IHHIHHIIQIIQ16s', 0x424D53FE, 64, 1, 0, cmd, credits, 0, 0, mid, 0, tid, sid, b'\0' * 16)

def negotiate(dialects, mid=0):
    has311 = 0x311 in dialects
    body = struct.pack('<HHHHI16s', 36, len(dialects), 1, 0, 0x7F, bytes(range(16)))
    ctx_off_pos = len(body)
    body += struct.pack('<IHH', 0, 0, 0)
    body += b''.join(struct.pack('<H', d) for d in dialects)
    if has311:
        while (64 + len(body)) % 8:
            body += b'\0'
        off = 64 + len(body)
        pre = struct.pack('<HH', 1, 32) + struct.pack('<H', 1) + bytes(32)
        body += struct.pack('<HHI', 1, len(pre), 0) + pre
        while (64 + len(body)) % 8:
            body += b'\0'
        enc = struct.pack('<HHHHH', 4, 2, 1, 4, 3)
        body += struct.pack('<HHI', 2, len(enc), 0) + enc
        body = body[:ctx_off_pos] + struct.pack('<IHH', off, 2, 0) + body[ctx_off_pos + 8:]
    return hdr(0, mid) + body

def ntlm_negotiate():
    return b'NTLMSSP\0' + struct.pack('<II', 1, 0xE2088297) + bytes(16) + bytes(8)

def session_setup(mid, blob):
    body = struct.pack('<HBBIIHHQ', 25, 0, 1, 0, 0, 64 + 24, len(blob), 0) + blob
    return hdr(1, mid) + body

def smb1_negotiate():
    dialects = b''.join(b'\x02' + d + b'\0' for d in [b'NT LM 0.12', b'SMB 2.002', b'SMB 2.???'])
    h = b'\xffSMB\x72' + bytes(27)
    return h + b'\0' + struct.pack('<H', len(dialects)) + dialects

def frames(*msgs):
    return b''.join(struct.pack('<H', len(m)) + m for m in msgs)

os.makedirs('conn', exist_ok=True)
os.makedirs('smb2_codecs', exist_ok=True)
seeds = {
    'conn/neg311': frames(negotiate([0x202, 0x210, 0x300, 0x302, 0x311])),
    'conn/neg202_ss': frames(negotiate([0x202]), session_setup(1, ntlm_negotiate())),
    'conn/neg311_ss': frames(negotiate([0x311]), session_setup(1, ntlm_negotiate())),
    'conn/smb1': frames(smb1_negotiate(), negotiate([0x202, 0x311], mid=1)),
    'smb2_codecs/neg': b'\x00' + negotiate([0x202, 0x311]),
    'smb2_codecs/smb1': b'\x01' + smb1_negotiate(),
    'smb2_codecs/ss': b'\x02' + session_setup(1, ntlm_negotiate()),
}
for name, data in seeds.items():
    with open(name, 'wb') as f:
        f.write(data)


# --- conn: whole (anonymous) sessions down to the file commands ---
# fuzz_conn.c puts the server's SessionId, TreeId and FileIds into requests
# that carry these placeholders (see the comment at its top).
PH_SESSION = 0x5E55000000000000
PH_TREE = 0x7EE00000
PH_FILE = 0xF11E000000000000
FLAGS_RELATED = 0x4


def req(cmd, mid, body, sid=PH_SESSION, tid=PH_TREE, flags=0, credits=64):
    h = struct.pack('<IHHIHHIIQIIQ16s', 0x424D53FE, 64, 1, 0, cmd, credits, flags, 0, mid, 0, tid, sid, b'\0' * 16)
    return h + body


def fid(i=0):
    return struct.pack('<QQ', PH_FILE | i, 0)


def compound(*msgs):
    """Chains messages with NextCommand (each padded to 8 bytes)."""
    out = b''
    for i, m in enumerate(msgs):
        if i < len(msgs) - 1:
            m = m + b'\0' * (-len(m) % 8)
            m = m[:20] + struct.pack('<I', len(m)) + m[24:]
        out += m
    return out


def ntlm_authenticate_anonymous():
    """An anonymous NTLMSSP AUTHENTICATE ([MS-NLMP] 3.2.5.1.2: no user, no
    NT response): fixed bytes the server accepts, unlike an NTLMv2 response,
    which must echo the server's timestamp. The share is `guest ok`."""
    ws = 'FUZZ'.encode('utf-16-le')
    flags = 0xA2088A05  # ... | NTLMSSP_NEGOTIATE_ANONYMOUS
    payload_off = 88
    fields, payload = b'', b''
    for item in (b'', b'', b'', b'', ws, b''):
        fields += struct.pack('<HHI', len(item), len(item), payload_off + len(payload))
        payload += item
    msg = b'NTLMSSP\0' + struct.pack('<I', 3) + fields + struct.pack('<I', flags) + bytes(8) + bytes(16)
    assert len(msg) == payload_off
    return msg + payload


def tree_connect(mid, share='share'):
    path = ('\\\\fuzz\\' + share).encode('utf-16-le')
    return req(3, mid, struct.pack('<HHHH', 9, 0, 64 + 8, len(path)) + path, tid=0)


def create(mid, name, access=0x12019F, disposition=3, options=0x40, oplock=0, contexts=b'', **kw):
    n = name.encode('utf-16-le')
    ctx_off = 64 + 56 + len(n) + (-len(n) % 8) if contexts else 0
    body = struct.pack('<HBBIQQIIIIIHHII', 57, 0, oplock, 2, 0, 0, access, 0x80, 7, disposition, options, 64 + 56,
                       len(n), ctx_off, len(contexts))
    body += n if n else b'\0'
    if contexts:
        body += b'\0' * (-len(n) % 8) + contexts
    return req(5, mid, body, **kw)


def write(mid, data, offset=0, f=fid(), **kw):
    return req(9, mid, struct.pack('<HHIQ16sIIHHI', 49, 64 + 48, len(data), offset, f, 0, 0, 0, 0, 0) + data, **kw)


def read(mid, length, offset=0, f=fid(), **kw):
    return req(8, mid, struct.pack('<HBBIQ16sIIIHH', 49, 0, 0, length, offset, f, 0, 0, 0, 0, 0) + b'\0', **kw)


def lock(mid, flags, offset=0, length=16, f=fid(), **kw):
    return req(10, mid, struct.pack('<HHI16sQQII', 48, 1, 0, f, offset, length, flags, 0), **kw)


def notify(mid, f=fid(), **kw):
    return req(15, mid, struct.pack('<HHI16sII', 32, 1, 4096, f, 0x17F, 0), **kw)


def query_info(mid, cls=0x12, f=fid(), **kw):  # FileAllInformation
    return req(16, mid, struct.pack('<HBBIHHIII16s', 41, 1, cls, 4096, 0, 0, 0, 0, 0, f) + b'\0', **kw)


def query_dir(mid, f=fid(), **kw):
    pat = '*'.encode('utf-16-le')
    return req(14, mid, struct.pack('<HBBI16sHHI', 33, 0x25, 0, 0, f, 64 + 32, len(pat), 4096) + pat, **kw)


def close(mid, f=fid(), **kw):
    return req(6, mid, struct.pack('<HHI16s', 24, 0, 0, f), **kw)


def guest_logon(dialect=0x210):
    return [negotiate([dialect]),
            session_setup(1, ntlm_negotiate()),
            req(1, 2, struct.pack('<HBBIIHHQ', 25, 0, 1, 0, 0, 64 + 24, len(ntlm_authenticate_anonymous()), 0) +
                ntlm_authenticate_anonymous(), tid=0),
            tree_connect(3)]


def dh2q():
    """A DH2Q create context (durable v2) and an RqLs lease (RWH)."""
    data = struct.pack('<IIQ16s', 0, 0, 0, b'fuzz-create-guid')
    dh = struct.pack('<IHHHHI', 24 + len(data), 16, 4, 0, 24, len(data)) + b'DH2Q' + bytes(4) + data
    lease = struct.pack('<16sIIQ', b'fuzz-lease-key-1', 7, 0, 0)
    rq = struct.pack('<IHHHHI', 0, 16, 4, 0, 24, len(lease)) + b'RqLs' + bytes(4) + lease
    return dh + rq


conn_sessions = {
    # CREATE, WRITE, READ, byte-range LOCK and unlock, QUERY_INFO, CLOSE
    'conn/guest_file_ops': guest_logon() + [
        create(4, 'new.txt'), write(5, b'hello, fuzz' * 8), read(6, 64), lock(7, 0x2 | 0x10),
        lock(8, 0x4), query_info(9), close(10)],
    # the same over SMB 3.0.2
    'conn/guest_file_ops_302': guest_logon(0x302) + [
        create(4, 'new302.txt'), write(5, b'x' * 100, offset=4096), lock(6, 0x1 | 0x10, length=100), close(7)],
    # a related compound: CREATE + WRITE + READ + CLOSE on the FileId the chain inherits
    'conn/guest_compound': guest_logon() + [compound(
        create(4, 'chain.txt'),
        write(5, b'chained', f=b'\xff' * 16, flags=FLAGS_RELATED),
        read(6, 7, f=b'\xff' * 16, flags=FLAGS_RELATED),
        close(7, f=b'\xff' * 16, flags=FLAGS_RELATED))],
    # requests that park: CHANGE_NOTIFY on a directory, a blocking LOCK
    # against another open's lock; the connection closes with them parked
    'conn/guest_park': guest_logon() + [
        create(4, 'dir', access=0x100081, disposition=1, options=0x1), notify(5),
        create(6, 'locked.txt'), create(7, 'locked.txt'),
        lock(8, 0x2 | 0x10, f=fid(1)), lock(9, 0x2, f=fid(2))],
    # a directory listing, and a durable leased open
    'conn/guest_dir_durable': guest_logon(0x302) + [
        create(4, '', access=0x100081, disposition=1, options=0x1), query_dir(5),
        create(6, 'durable.txt', oplock=0xFF, contexts=dh2q()), write(7, b'd', f=fid(1)), close(8, f=fid(1))],
}
for name, data in conn_sessions.items():
    with open(name, 'wb') as f:
        f.write(frames(*data))


# --- DCE/RPC (rpc_pdu, rpc_pipe, rpc_srvsvc, rpc_wkssvc) ---

NDR20 = bytes.fromhex('045d888aeb1cc9119fe808002b104860') + struct.pack('<I', 2)
NDR64 = bytes.fromhex('33057171babe37498319b5dbef9ccc36') + struct.pack('<I', 1)
BTFN = bytes.fromhex('2c1cb76c12984045') + bytes([3, 0, 0, 0, 0, 0, 0, 0]) + struct.pack('<I', 1)
SRVSVC = bytes.fromhex('c84f324b7016d30112785a47bf6ee188') + struct.pack('<I', 3)
WKSSVC = bytes.fromhex('98d0ff6b12a1103698334 6c3f87e345a'.replace(' ', '')) + struct.pack('<I', 1)


def pdu(ptype, flags, call_id, body):
    return struct.pack('<BBBB4sHHI', 5, 0, ptype, flags, b'\x10\0\0\0', 16 + len(body), 0, call_id) + body


def bind(ctxs, ptype=11, call_id=1, frag=4280):
    body = struct.pack('<HHIB3x', frag, frag, 0, len(ctxs))
    for i, (abstract, xfer) in enumerate(ctxs):
        body += struct.pack('<HBx', i, 1) + abstract + xfer
    return pdu(ptype, 3, call_id, body)


def request(call_id, opnum, stub, flags=3, ctx=0):
    return pdu(0, flags, call_id, struct.pack('<IHH', len(stub), ctx, opnum) + stub)


def align4(b):
    return b + b'\0' * (-len(b) % 4)


def cvstr(s):
    u = (s + '\0').encode('utf-16-le')
    return struct.pack('<III', len(u) // 2, 0, len(u) // 2) + u


def server_name():
    return align4(struct.pack('<I', 0x20000) + cvstr('\\\\SMB3D'))


def enum_stub(level):
    return server_name() + struct.pack('<IIIIIIII', level, level, 0x20004, 0, 0, 0xffffffff, 0x20008, 0)


def enum_n_stub(level, n_names):
    """An enumeration with n_names [unique,string] names, all but the first NULL."""
    return server_name() + struct.pack('<I', 0) * (n_names - 1) + struct.pack(
        '<IIIIIIII', level, level, 0x20004, 0, 0, 0xffffffff, 0x20008, 0)


def getinfo_stub(name, level):
    return server_name() + align4(cvstr(name)) + struct.pack('<I', level)


def level_stub(level):
    return server_name() + struct.pack('<I', level)


def writes(*chunks):
    return b''.join(struct.pack('<H', len(c)) + c for c in chunks)


for d in ('rpc_pdu', 'rpc_pipe', 'rpc_srvsvc', 'rpc_wkssvc'):
    os.makedirs(d, exist_ok=True)
bind_srv = bind([(SRVSVC, NDR20)])
bind_win = bind([(SRVSVC, NDR20), (SRVSVC, NDR64), (SRVSVC, BTFN)])
enum1 = request(2, 15, enum_stub(1))
frag = [request(3, 15, enum_stub(2)[:8], flags=1), request(3, 15, enum_stub(2)[8:40], flags=0),
        request(3, 15, enum_stub(2)[40:], flags=2)]
ack = pdu(12, 3, 1, struct.pack('<HHIH', 4280, 4280, 0x53f0, 13) + b'\\PIPE\\srvsvc\0' + b'\0' +
          struct.pack('<B3xHH', 1, 0, 0) + NDR20)
seeds = {
    'rpc_pdu/bind': bind_srv,
    'rpc_pdu/bind_win': bind_win,
    'rpc_pdu/alter': bind([(WKSSVC, NDR20)], ptype=14),
    'rpc_pdu/request': enum1,
    'rpc_pdu/request_object': pdu(0, 0x83, 5, struct.pack('<IHH', 4, 0, 15) + bytes(range(16)) + b'abcd'),
    'rpc_pdu/bind_ack': ack,
    'rpc_pdu/bind_nak': pdu(13, 3, 1, struct.pack('<HBBB3x', 4, 1, 5, 0)),
    'rpc_pdu/fault': pdu(3, 0x23, 2, struct.pack('<IHBBII', 8, 0, 0, 0, 0x1c010002, 0)),
    'rpc_pdu/response': pdu(2, 3, 2, struct.pack('<IHBB', 4, 0, 0, 0) + b'\0\0\0\0'),
    # first byte: bit 0 wkssvc, bit 1 bind first, higher bits the read size
    'rpc_pipe/srvsvc_enum': bytes([0x02]) + writes(enum1),
    'rpc_pipe/srvsvc_bind_enum': bytes([0x40]) + writes(bind_win, enum1),
    'rpc_pipe/srvsvc_frag': bytes([0x0a]) + writes(*frag),
    'rpc_pipe/srvsvc_calls': bytes([0x12]) + writes(request(4, 16, getinfo_stub('data', 502)),
                                                     request(5, 21, level_stub(102)),
                                                     request(6, 99, b''),
                                                     bind([(SRVSVC, NDR20)], ptype=14, call_id=7)),
    'rpc_pipe/wkssvc': bytes([0x03]) + writes(request(2, 0, level_stub(102))),
    'rpc_pipe/wkssvc_bind': bytes([0x01]) + writes(bind([(WKSSVC, NDR20)]), request(2, 0, level_stub(100))),
    # first byte: bits 0-5 opnum selector (0: NetrShareEnum, 1: GetInfo, 2: ServerGetInfo,
    # 3: CharDevEnum, 4: CharDevQEnum, 5: ConnEnum, 6: FileEnum, 7: SessEnum, 8: ShareCheck,
    # 9: DiskEnum, 10: TransportEnum, 11: RemoteTOD, 12: ShareEnumSticky), bit 6 anonymous
    'rpc_srvsvc/enum502_anon': b'\x40' + enum_stub(502),
    'rpc_srvsvc/getinfo2_anon': b'\x41' + getinfo_stub('data', 2),
    'rpc_srvsvc/chardev1': b'\x03' + enum_n_stub(1, 1),
    'rpc_srvsvc/chardevq0': b'\x04' + enum_n_stub(0, 2),
    'rpc_srvsvc/conn1': b'\x05' + enum_n_stub(1, 2),
    'rpc_srvsvc/file3': b'\x06' + enum_n_stub(3, 3),
    'rpc_srvsvc/sess502': b'\x07' + enum_n_stub(502, 3),
    'rpc_srvsvc/sharecheck': b'\x08' + server_name() + align4(cvstr('C:\\srv\\data')),
    'rpc_srvsvc/diskenum': b'\x09' + struct.pack('<IIIIIII', 0, 0, 0, 0, 0xffffffff, 0x20004, 0),
    'rpc_srvsvc/transport0': b'\x0a' + enum_n_stub(0, 1),
    'rpc_srvsvc/tod': b'\x0b' + server_name(),
    'rpc_srvsvc/sticky2': b'\x0c' + enum_stub(2),
    'rpc_srvsvc/sticky502_anon': b'\x4c' + enum_stub(502),
    'rpc_srvsvc/enum0': b'\x00' + enum_stub(0),
    'rpc_srvsvc/enum502': b'\x00' + enum_stub(502),
    'rpc_srvsvc/getinfo2': b'\x01' + getinfo_stub('data', 2),
    'rpc_srvsvc/getinfo1005': b'\x01' + getinfo_stub('hidden', 1005),
    'rpc_srvsvc/srvinfo102': b'\x02' + level_stub(102),
    'rpc_wkssvc/wksta100': b'\x00' + level_stub(100),
    'rpc_wkssvc/wksta102': b'\x00' + level_stub(102),
}
for name, data in seeds.items():
    with open(name, 'wb') as f:
        f.write(data)

# FSCTL input buffers ([MS-SMB2] 2.2.31.1, [MS-FSCC] 2.3) for the fsctl_* targets.
def chunk(src, dst, n):
    return struct.pack('<QQII', src, dst, n, 0)

fsctl = {
    'fsctl_copychunk/two': bytes(range(24)) + struct.pack('<II', 2, 0) + chunk(0, 0, 4096) + chunk(4096, 8192, 4096),
    'fsctl_copychunk/none': bytes(24) + struct.pack('<II', 0, 0),
    'fsctl_copychunk/limits': bytes(24) + struct.pack('<II', 1, 0) + chunk(0, 0, 0xFFFFFFFF),
    'fsctl_dup_extents/simple': struct.pack('<QQQQQ', 1, 1, 0, 0, 4096),
    'fsctl_zero_data/simple': struct.pack('<QQ', 0, 4096),
    'fsctl_alloc_ranges/simple': struct.pack('<QQ', 512, 0xFFFFFFFFFFFFFFFF),
    'fsctl_set_sparse/set': b'\xff',
    'fsctl_set_sparse/empty': b'',
    'fsctl_compression/lznt1': struct.pack('<H', 2),
    'fsctl_resiliency/one_second': struct.pack('<II', 1000, 0),
    'fsctl_trim/one': struct.pack('<IIQQ', 0, 1, 0, 65536),
    'fsctl_pipe_wait/srvsvc': struct.pack('<QIBB', 5000, 12, 1, 0) + 'srvsvc'.encode('utf-16-le'),
}
for name, data in fsctl.items():
    os.makedirs(os.path.dirname(name), exist_ok=True)
    with open(name, 'wb') as f:
        f.write(data)
