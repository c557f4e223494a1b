#!/usr/bin/env python3
"""Writes seed inputs for the conn and smb2_codecs fuzz targets (run from
this directory). Plain byte strings built from [MS-SMB2] layouts."""
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
