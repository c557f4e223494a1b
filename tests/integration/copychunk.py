#!/usr/bin/python3
"""Server-side copy of one file to another through FSCTL_SRV_REQUEST_RESUME_KEY
and FSCTL_SRV_COPYCHUNK_WRITE ([MS-SMB2] 3.3.5.15.5-6), the way Windows
Explorer copies within a server: requests of 16 chunks of 1 MiB (the server
limits of [MS-SMB2] 3.3.3) until the whole source is copied. Uses impacket
(Debian python3-impacket) as an independent client. Prints the seconds the
copy took. Usage: copychunk.py HOST PORT SHARE USER PASSWORD SRC DST"""
import struct
import sys
import time

from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection

FSCTL_SRV_REQUEST_RESUME_KEY = 0x00140078
FSCTL_SRV_COPYCHUNK_WRITE = 0x001480F2
CHUNK = 1 << 20
CHUNKS_PER_REQUEST = 16


def main():
    host, port, share, user, password, src, dst = sys.argv[1:8]
    conn = SMBConnection(host, host, sess_port=int(port))
    conn.login(user, password)
    tid = conn.connectTree(share)
    smb = conn.getSMBServer()
    sfid = conn.createFile(tid, src, desiredAccess=s3.FILE_READ_DATA | s3.FILE_READ_ATTRIBUTES,
                           shareMode=s3.FILE_SHARE_READ, creationDisposition=s3.FILE_OPEN)
    std = smb.queryInfo(tid, sfid)  # FileStandardInformation
    size = struct.unpack('<Q', std[8:16])[0]  # EndOfFile
    dfid = conn.createFile(tid, dst, desiredAccess=s3.FILE_WRITE_DATA | s3.FILE_READ_ATTRIBUTES,
                           shareMode=0, creationDisposition=s3.FILE_OVERWRITE_IF)
    start = time.monotonic()
    key = smb.ioctl(tid, sfid, FSCTL_SRV_REQUEST_RESUME_KEY, s3.SMB2_0_IOCTL_IS_FSCTL,
                    maxInputResponse=0, maxOutputResponse=32)[:24]
    off = 0
    while off < size:
        chunks = []
        while off < size and len(chunks) < CHUNKS_PER_REQUEST:
            n = min(CHUNK, size - off)
            chunks.append(struct.pack('<QQII', off, off, n, 0))
            off += n
        blob = key + struct.pack('<II', len(chunks), 0) + b''.join(chunks)
        out = smb.ioctl(tid, dfid, FSCTL_SRV_COPYCHUNK_WRITE, s3.SMB2_0_IOCTL_IS_FSCTL, blob,
                        maxInputResponse=0, maxOutputResponse=12)
        written, _, total = struct.unpack('<III', out[:12])
        if written != len(chunks):
            sys.exit('copychunk wrote %d of %d chunks' % (written, len(chunks)))
    elapsed = time.monotonic() - start
    conn.closeFile(tid, sfid)
    conn.closeFile(tid, dfid)
    conn.logoff()
    print('%.2f' % elapsed)


if __name__ == '__main__':
    main()
