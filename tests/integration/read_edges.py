#!/usr/bin/python3
"""READ replies whose data is only partly in the page cache, or that reach or
pass the end of the file ([MS-SMB2] 3.3.5.12): smb3d copies what the page
cache holds on its event loop and reads the rest on an offload thread, so
these are the cases where the two parts must join up. Run on the server's
machine, as a user who may read LOCAL (the file behind SHARE\\NAME): it drops
the file's pages from the page cache with posix_fadvise, re-reads part of
them locally, then reads through SMB (impacket, an independent client) and
compares with the local bytes. Prints one "ok NAME" or "FAIL NAME: why" line
per check; the exit status is the number of failures.
Usage: read_edges.py HOST PORT SHARE USER PASSWORD NAME LOCAL"""
import os
import sys

from impacket import smb3, smb3structs as s3
from impacket.smbconnection import SMBConnection

STATUS_END_OF_FILE = 0xC0000011
MIB = 1 << 20


def main():
    host, port, share, user, password, name, local = sys.argv[1:8]
    with open(local, 'rb') as f:
        data = f.read()
    size = len(data)
    assert size >= 4 * MIB, 'the file must be at least 4 MiB'
    conn = SMBConnection(host, host, sess_port=int(port))
    conn.login(user, password)
    tid = conn.connectTree(share)
    fid = conn.createFile(tid, name, desiredAccess=s3.FILE_READ_DATA | s3.FILE_READ_ATTRIBUTES,
                          shareMode=s3.FILE_SHARE_READ, creationDisposition=s3.FILE_OPEN)
    smb = conn.getSMBServer()
    fails = 0

    def check(label, got, want):
        nonlocal fails
        if got == want:
            print('ok ' + label)
        else:
            fails += 1
            print('FAIL %s: %d bytes back, %d expected%s' % (
                label, len(got), len(want), '' if len(got) != len(want) else ', different bytes'))

    def uncache(first_cached=0):
        """Evicts the file's pages, then reads its first bytes back in
        (without readahead, which would cache more)."""
        fd = os.open(local, os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        if first_cached:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
            os.pread(fd, first_cached, 0)
        os.close(fd)

    # 1 MiB with only its first 256 KiB cached: the loop's part and the rest
    uncache(256 * 1024)
    check('half-cached-1MiB', smb.read(tid, fid, 0, MIB), data[:MIB])
    # nothing cached
    uncache()
    check('uncached-1MiB', smb.read(tid, fid, 2 * MIB, MIB), data[2 * MIB:3 * MIB])
    # cached, across the end of the file: the short count, not an error
    with open(local, 'rb') as f:
        f.read()
    check('across-eof', smb.read(tid, fid, size - 1000, 65536), data[size - 1000:])
    uncache()
    check('across-eof-uncached', smb.read(tid, fid, size - 1000, 65536), data[size - 1000:])
    # at and past the end of the file: STATUS_END_OF_FILE
    for label, off in (('at-eof', size), ('past-eof', size + MIB)):
        try:
            got = smb.read(tid, fid, off, 4096)
            fails += 1
            print('FAIL %s: %d bytes instead of STATUS_END_OF_FILE' % (label, len(got)))
        except smb3.SessionError as e:
            if e.get_error_code() == STATUS_END_OF_FILE:
                print('ok ' + label)
            else:
                fails += 1
                print('FAIL %s: status 0x%08x instead of STATUS_END_OF_FILE' % (label, e.get_error_code()))
    conn.closeFile(tid, fid)
    conn.logoff()
    return fails


if __name__ == '__main__':
    sys.exit(main())
