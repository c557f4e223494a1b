#!/usr/bin/python3
"""No event-loop thread waits for a break: client A holds an RWH lease and
never acknowledges the break; client B opens the same file and must wait for
the break timeout ([MS-SMB2] 3.3.6.5); meanwhile clients C1-C3 and A itself
keep creating, writing, reading and closing other files and sending ECHOs
(so that some of them share the event loop of B's and of A's connection),
and every one of those requests must be answered at once. Then B's open
completes (after the timeout, not before), and A finds the lease break
notification (RWH -> RH, acknowledgement required) waiting on its socket.
Uses impacket (Debian python3-impacket) as an independent client.

Usage: break_wait.py HOST PORT SHARE USER PASSWORD TIMEOUT_MS
TIMEOUT_MS is the server's break timeout (35000, or its `smb3d:torture break timeout`). Prints one line of
figures; exits non-zero with the reason when an assertion fails."""
import os
import struct
import sys
import threading
import time

from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection

LEASE_RWH = s3.SMB2_LEASE_READ_CACHING | s3.SMB2_LEASE_WRITE_CACHING | s3.SMB2_LEASE_HANDLE_CACHING
LEASE_RH = s3.SMB2_LEASE_READ_CACHING | s3.SMB2_LEASE_HANDLE_CACHING
RW = s3.FILE_READ_DATA | s3.FILE_WRITE_DATA | s3.FILE_READ_ATTRIBUTES
SHARE_ALL = s3.FILE_SHARE_READ | s3.FILE_SHARE_WRITE | s3.FILE_SHARE_DELETE
MAX_LATENCY = 1.0  # seconds; generous for sanitizer builds on a loaded machine


def fail(why):
    sys.exit('break_wait: ' + why)


def connect(host, port, user, password, share):
    conn = SMBConnection(host, host, sess_port=int(port))
    conn.login(user, password)
    return conn, conn.connectTree(share)


def lease_context(key, state):
    """An SMB2_CREATE_REQUEST_LEASE (v1) context ([MS-SMB2] 2.2.13.2.8)."""
    lease = s3.SMB2_CREATE_REQUEST_LEASE()
    lease['LeaseKey'] = key
    lease['LeaseState'] = state
    ctx = s3.SMB2CreateContext()
    ctx['NameOffset'] = 16
    ctx['NameLength'] = 4
    ctx['DataOffset'] = 24
    ctx['DataLength'] = len(lease)
    ctx['Buffer'] = b'RqLs' + b'\0' * 4 + lease.getData()
    return ctx


def main():
    host, port, share, user, password, timeout_ms = sys.argv[1:7]
    timeout = int(timeout_ms) / 1000.0
    key = os.urandom(16)

    # A: an RWH lease on the file; A never reads its socket again (until
    # the end), so it never acknowledges the break.
    a, a_tid = connect(host, port, user, password, share)
    a_smb = a.getSMBServer()
    a_fid = a_smb.create(a_tid, 'held.dat', RW, SHARE_ALL, 0, s3.FILE_OVERWRITE_IF, 0,
                         oplockLevel=s3.SMB2_OPLOCK_LEVEL_LEASE, createContexts=[lease_context(key, LEASE_RWH)])

    # B: an open that must wait for A's Write caching to be flushed.
    b, b_tid = connect(host, port, user, password, share)
    b_result = {}

    def open_b():
        start = time.monotonic()
        try:
            fid = b.createFile(b_tid, 'held.dat', desiredAccess=RW, shareMode=SHARE_ALL,
                               creationDisposition=s3.FILE_OPEN)
            b_result['fid'] = fid
        except Exception as e:  # reported below
            b_result['error'] = repr(e)
        b_result['elapsed'] = time.monotonic() - start

    busy = [(a, a_tid)] + [connect(host, port, user, password, share) for _ in range(3)]
    b_thread = threading.Thread(target=open_b)
    b_thread.start()

    # A and C1-C3: many quick operations while B waits. A's replies are read,
    # its break notification is kept aside by impacket, never acknowledged.
    latencies = []
    deadline = time.monotonic() + timeout * 0.8
    i = 0
    while time.monotonic() < deadline:
        c, c_tid = busy[i % len(busy)]
        c_smb = c.getSMBServer()
        t0 = time.monotonic()
        name = 'busy-%d.dat' % (i % 8)
        fid = c.createFile(c_tid, name, desiredAccess=RW, shareMode=SHARE_ALL,
                           creationDisposition=s3.FILE_OVERWRITE_IF)
        c.writeFile(c_tid, fid, b'x' * 4096, 0)
        if c.readFile(c_tid, fid, 0, 4096) != b'x' * 4096:
            fail('C read back something else than it wrote')
        c.closeFile(c_tid, fid)
        c_smb.echo()
        latencies.append(time.monotonic() - t0)
        i += 1
    if not b_thread.is_alive():
        fail('B\'s open completed after %.2f s, before the break timed out (%s)'
             % (b_result.get('elapsed', -1), b_result.get('error', 'no error')))
    b_thread.join(timeout + 30)
    if b_thread.is_alive():
        fail('B\'s open did not complete within the break timeout + 30 s')
    if 'error' in b_result:
        fail('B\'s open failed: ' + b_result['error'])
    if b_result['elapsed'] < timeout * 0.9:
        fail('B\'s open took %.2f s; it should have waited for the %.2f s timeout' % (b_result['elapsed'], timeout))

    latencies.sort()
    worst = latencies[-1]
    median = latencies[len(latencies) // 2]
    if len(latencies) < 10:
        fail('A and C managed only %d rounds of operations while B waited' % len(latencies))
    if worst > MAX_LATENCY:
        fail('a round of A\'s or C\'s operations took %.3f s while B waited (loop thread blocked?)' % worst)

    # A: the break notification was sent (and never acknowledged). impacket
    # set it aside while reading A's replies; otherwise read it off the
    # socket directly (impacket's recvSMB() would take its CreditCharge of 0
    # as a step back in A's message ids).
    packet = a_smb._Connection['OutstandingResponses'].pop(0xFFFFFFFFFFFFFFFF, None)
    if packet is None:
        packet = s3.SMB2Packet(a_smb._NetBIOSSession.recv_packet(10).get_trailer())
    if packet['Command'] != s3.SMB2_OPLOCK_BREAK or packet['MessageID'] != 0xFFFFFFFFFFFFFFFF:
        fail('A got command %d instead of a lease break notification' % packet['Command'])
    note = s3.SMB2LeaseBreakNotification(packet['Data'])
    if (note['LeaseKey'] != key or note['CurrentLeaseState'] != LEASE_RWH or note['NewLeaseState'] != LEASE_RH or
            not note['Flags'] & s3.SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED):
        fail('unexpected lease break: key %s, 0x%x -> 0x%x, flags 0x%x' % (
            note['LeaseKey'].hex(), note['CurrentLeaseState'], note['NewLeaseState'], note['Flags']))

    b.closeFile(b_tid, b_result['fid'])
    a.closeFile(a_tid, a_fid)
    for conn, _ in busy + [(b, b_tid)]:
        conn.logoff()
    print('B waited %.2f s (timeout %.2f s); A, C1-C3: %d rounds, median %.1f ms, worst %.1f ms' % (
        b_result['elapsed'], timeout, len(latencies), median * 1000, worst * 1000))


if __name__ == '__main__':
    main()
