#!/usr/bin/python3
# Generates golden_file.h: SMB2 file-command messages, information classes
# and a security descriptor built with impacket's structures (an independent
# implementation), so the C codecs are checked against bytes they did not
# produce. The C tests only read the generated header; rerun with
#   /usr/bin/python3 tests/unit/wire/gen_golden.py > tests/unit/wire/golden_file.h
# after `apt-get install python3-impacket`. Offsets that impacket leaves to
# its caller (context chaining, entry padding) are computed here from
# [MS-SMB2] 2.2.13.2 / [MS-FSCC] 2.4 alignment rules.
import struct

import impacket.smb as smb
import impacket.smb3structs as s3
from impacket.ldap import ldaptypes as ld

FID_P = 0x1122334455667788
FID_V = 0x99AABBCCDDEEFF00


def u16(x):
    return x.encode('utf-16-le')


def hdr(cmd, mid=7):
    return b'\xfeSMB' + struct.pack('<HHIHHIIQIIQ16s', 64, 0, 0, cmd, 1, 0, 0, mid, 0, 1, 0x55, b'\0' * 16)


def fileid():
    f = s3.SMB2_FILEID()
    f['Persistent'] = FID_P
    f['Volatile'] = FID_V
    return f


def ctx(name, data, last):
    c = s3.SMB2CreateContext()
    c['NameOffset'] = 16
    c['NameLength'] = len(name)
    data_off = (16 + len(name) + 7) & ~7 if data else 0
    c['DataOffset'] = data_off
    c['DataLength'] = len(data)
    c['Buffer'] = name + (b'\0' * (data_off - 16 - len(name)) + data if data else b'')
    raw_len = 16 + len(c['Buffer'])
    padded = (raw_len + 7) & ~7
    c['Next'] = 0 if last else padded
    raw = c.getData()
    return raw if last else raw + b'\0' * (padded - raw_len)


def full_ea(entries):
    out = b''
    for i, (flags, name, value) in enumerate(entries):
        e = s3.FILE_FULL_EA_INFORMATION()
        e['Flags'] = flags
        e['EaNameLength'] = len(name)
        e['EaValueLength'] = len(value)
        e['EaName'] = name + b'\0'
        e['EaValue'] = value
        raw_len = 8 + len(name) + 1 + len(value)
        padded = (raw_len + 3) & ~3
        e['NextEntryOffset'] = 0 if i == len(entries) - 1 else padded
        raw = e.getData()
        assert len(raw) == raw_len
        out += raw if i == len(entries) - 1 else raw + b'\0' * (padded - raw_len)
    return out


LEASE_KEY = bytes(range(16))
PARENT_KEY = bytes(range(0xA0, 0xB0))
EAS = [(0, b'user.a', b'1'), (0x80, b'B', b'xyz')]


def lease_v2(state, flags, epoch):
    l = s3.SMB2_CREATE_REQUEST_LEASE_V2()
    l['LeaseKey'] = LEASE_KEY
    l['LeaseState'] = state
    l['Flags'] = flags
    l['LeaseDuration'] = 0
    l['ParentLeaseKey'] = PARENT_KEY
    l['Epoch'] = epoch
    return l.getData()


def create_req():
    name = u16('dir\\file.txt')
    ctxs = (ctx(b'MxAc', b'', False) + ctx(b'QFid', b'', False) + ctx(b'ExtA', full_ea(EAS), False) +
            ctx(b'AlSi', struct.pack('<Q', 0x100000), False) + ctx(b'RqLs', lease_v2(7, 4, 3), True))
    c = s3.SMB2Create()
    c['RequestedOplockLevel'] = 0xFF
    c['ImpersonationLevel'] = 2
    c['DesiredAccess'] = 0x00120089
    c['FileAttributes'] = 0x80
    c['ShareAccess'] = 7
    c['CreateDisposition'] = 1
    c['CreateOptions'] = 0x40
    c['NameLength'] = len(name)
    c['CreateContextsOffset'] = 64 + 56 + len(name)  # 144: 8-byte aligned already
    c['CreateContextsLength'] = len(ctxs)
    c['Buffer'] = name + ctxs
    return hdr(5) + c.getData()


def create_rsp():
    ctxs = (ctx(b'MxAc', struct.pack('<II', 0, 0x001F01FF), False) +
            ctx(b'QFid', struct.pack('<QQ16s', 0xABCDEF, 0x1234, b''), False) +
            ctx(b'RqLs', lease_v2(7, 0, 3), True))
    r = s3.SMB2Create_Response()
    r['OplockLevel'] = 0xFF
    r['CreateAction'] = 1
    r['CreationTime'] = 0x01D9000000000001
    r['LastAccessTime'] = 0x01D9000000000002
    r['LastWriteTime'] = 0x01D9000000000003
    r['ChangeTime'] = 0x01D9000000000004
    r['AllocationSize'] = 4096
    r['EndOfFile'] = 1234
    r['FileAttributes'] = 0x20
    r['FileID'] = fileid()
    r['CreateContextsOffset'] = 152
    r['CreateContextsLength'] = len(ctxs)
    r['Buffer'] = ctxs
    return b'\0' * 64 + r.getData()


def read_req():
    r = s3.SMB2Read()
    r['Padding'] = 0x50
    r['Length'] = 65536
    r['Offset'] = 0x10000000
    r['FileID'] = fileid()
    r['MinimumCount'] = 1
    r['Buffer'] = b'\0'
    return hdr(8) + r.getData()


def write_req():
    w = s3.SMB2Write()
    w['Length'] = 11
    w['Offset'] = 4096
    w['FileID'] = fileid()
    w['Flags'] = 1
    w['Buffer'] = b'hello world'
    return hdr(9) + w.getData()


def lock_req():
    q = s3.SMB2Lock()
    q['LockCount'] = 2
    q['LockSequence'] = (5 << 4) | 3
    q['FileID'] = fileid()
    locks = b''
    for off, length, flags in ((0, 100, 0x12), (200, 50, 0x4)):
        e = s3.SMB2_LOCK_ELEMENT()
        e['Offset'] = off
        e['Length'] = length
        e['Flags'] = flags
        locks += e.getData()
    q['Locks'] = locks
    return hdr(10) + q.getData()


def query_directory_req():
    q = s3.SMB2QueryDirectory()
    q['FileInformationClass'] = 37
    q['Flags'] = 1
    q['FileID'] = fileid()
    q['FileNameLength'] = 2
    q['OutputBufferLength'] = 65536
    q['Buffer'] = u16('*')
    return hdr(14) + q.getData()


def query_info_req():
    get_ea = struct.pack('<IB', 0, 6) + b'user.a\0'
    q = s3.SMB2QueryInfo()
    q['InfoType'] = 1
    q['FileInfoClass'] = 15
    q['OutputBufferLength'] = 4096
    q['InputBufferLength'] = len(get_ea)
    q['Flags'] = 1
    q['FileID'] = fileid()
    q['Buffer'] = get_ea
    return hdr(16) + q.getData()


def set_info_req():
    ri = s3.FILE_RENAME_INFORMATION_TYPE_2()
    ri['ReplaceIfExists'] = 1
    ri['Reserved'] = b'\0' * 7
    ri['FileName'] = u16('new\\name.txt')
    ri['FileNameLength'] = len(ri['FileName'])
    buf = ri.getData()
    q = s3.SMB2SetInfo()
    q['InfoType'] = 1
    q['FileInfoClass'] = 10
    q['BufferLength'] = len(buf)
    q['FileID'] = fileid()
    q['Buffer'] = buf
    return hdr(17) + q.getData()


def close_rsp():
    r = s3.SMB2Close_Response()
    r['Flags'] = 1
    r['CreationTime'] = 0x01D9000000000001
    r['LastAccessTime'] = 0x01D9000000000002
    r['LastWriteTime'] = 0x01D9000000000003
    r['ChangeTime'] = 0x01D9000000000004
    r['AllocationSize'] = 4096
    r['EndofFile'] = 1234
    r['FileAttributes'] = 0x20
    return r.getData()


def all_info():
    a = s3.FILE_ALL_INFORMATION()
    b = s3.FILE_BASIC_INFORMATION()
    b['CreationTime'] = 0x01D9000000000001
    b['LastAccessTime'] = 0x01D9000000000002
    b['LastWriteTime'] = 0x01D9000000000003
    b['ChangeTime'] = 0x01D9000000000004
    b['FileAttributes'] = 0x20
    st = s3.FILE_STANDARD_INFORMATION()
    st['AllocationSize'] = 4096
    st['EndOfFile'] = 1234
    st['NumberOfLinks'] = 1
    st['DeletePending'] = 0
    st['Directory'] = 0
    i = s3.FILE_INTERNAL_INFORMATION()
    i['IndexNumber'] = 0x0000000100000042
    e = s3.FILE_EA_INFORMATION()
    e['EaSize'] = 0
    ac = s3.FILE_ACCESS_INFORMATION()
    ac['AccessFlags'] = 0x001F01FF
    p = s3.FILE_POSITION_INFORMATION()
    p['CurrentByteOffset'] = 0
    m = s3.FILE_MODE_INFORMATION()
    m['Mode'] = 0
    al = s3.FILE_ALIGNMENT_INFORMATION()
    al['AlignmentRequirement'] = 0
    n = s3.FILE_NAME_INFORMATION()
    n['FileName'] = u16('\\dir\\file.txt')
    n['FileNameLength'] = len(n['FileName'])
    a['BasicInformation'] = b
    a['StandardInformation'] = st
    a['InternalInformation'] = i
    a['EaInformation'] = e
    a['AccessInformation'] = ac
    a['PositionInformation'] = p
    a['ModeInformation'] = m
    a['AlignmentInformation'] = al
    a['NameInformation'] = n
    return a.getData()


def id_both_dir():
    out = b''
    ents = [('a.txt', '', 0x20, 5, 8, 0x42), ('LongFileName.docx', 'LONGFI~1.DOC', 0x21, 70000, 73728, 0x43)]
    for k, (name, short, attrs, eof, alloc, fid) in enumerate(ents):
        d = smb.SMBFindFileIdBothDirectoryInfo(smb.SMB.FLAGS2_UNICODE)
        d['FileIndex'] = 0
        d['CreationTime'] = 0x01D9000000000001 + k
        d['LastAccessTime'] = 0x01D9000000000002 + k
        d['LastWriteTime'] = 0x01D9000000000003 + k
        d['LastChangeTime'] = 0x01D9000000000004 + k
        d['EndOfFile'] = eof
        d['AllocationSize'] = alloc
        d['ExtFileAttributes'] = attrs
        d['FileName'] = u16(name)
        d['FileNameLength'] = len(u16(name))
        d['EaSize'] = 0
        d['ShortNameLength'] = len(u16(short))
        d['ShortName'] = u16(short).ljust(24, b'\0')
        d['FileID'] = fid
        raw_len = 104 + len(u16(name))
        padded = (raw_len + 7) & ~7
        last = k == len(ents) - 1
        d['NextEntryOffset'] = 0 if last else padded
        raw = d.getData()
        assert len(raw) == raw_len, (len(raw), raw_len)
        out += raw if last else raw + b'\0' * (padded - raw_len)
    return out


def sid(canonical):
    s = ld.LDAP_SID()
    s.fromCanonical(canonical)
    return s


def ace(ace_type, flags, mask, canonical):
    a = ld.ACE()
    a['AceType'] = ace_type
    a['AceFlags'] = flags
    body = ld.ACCESS_ALLOWED_ACE() if ace_type == 0 else ld.ACCESS_DENIED_ACE()
    body['Mask'] = ld.ACCESS_MASK()
    body['Mask']['Mask'] = mask
    body['Sid'] = sid(canonical)
    a['Ace'] = body
    return a


def security_descriptor():
    acl = ld.ACL()
    acl['AclRevision'] = 2
    acl['Sbz1'] = 0
    acl['Sbz2'] = 0
    acl.aces = [ace(0, 0x03, 0x001F01FF, 'S-1-5-21-1-2-3-1000'), ace(0, 0, 0x001200A9, 'S-1-1-0'),
                ace(1, 0, 0x00000002, 'S-1-5-7')]
    sd = ld.SR_SECURITY_DESCRIPTOR()
    sd['Revision'] = b'\x01'
    sd['Sbz1'] = b'\x00'
    sd['Control'] = 0x8004
    sd['OwnerSid'] = sid('S-1-5-21-1-2-3-1000')
    sd['GroupSid'] = sid('S-1-5-21-1-2-3-513')
    sd['Sacl'] = b''
    sd['Dacl'] = acl
    return sd.getData()


def notify():
    out = b''
    ents = [(1, 'new.txt'), (4, 'old name'), (5, 'new name')]
    for k, (action, name) in enumerate(ents):
        n = s3.FILE_NOTIFY_INFORMATION()
        n['Action'] = action
        n['FileName'] = u16(name)
        n['FileNameLength'] = len(u16(name))
        raw_len = 12 + len(u16(name))
        padded = (raw_len + 3) & ~3
        last = k == len(ents) - 1
        n['NextEntryOffset'] = 0 if last else padded
        raw = n.getData()
        out += raw if last else raw + b'\0' * (padded - raw_len)
    return out


def fs_volume():
    v = smb.SMBQueryFsVolumeInfo()
    v['VolumeCreationTime'] = 0x01D9000000000001
    v['SerialNumber'] = 0xCAFEBABE
    v['VolumeLabel'] = u16('share')
    v['VolumeLabelSize'] = len(u16('share'))
    v['Reserved'] = 0  # SupportsObjects, Reserved
    return v.getData()


def fs_attribute():
    a = smb.SMBQueryFsAttributeInfo()
    a['FileSystemAttributes'] = 0x0004002F
    a['MaxFilenNameLengthInBytes'] = 255
    a['FileSystemName'] = u16('NTFS')
    a['LengthOfFileSystemName'] = len(u16('NTFS'))
    return a.getData()


def emit(name, data):
    print('/* %d bytes */' % len(data))
    print('static const uint8_t %s[] = {' % name)
    for i in range(0, len(data), 12):
        print('\t' + ' '.join('0x%02x,' % b for b in data[i:i + 12]))
    print('};')


print('/* Generated by gen_golden.py from impacket structures; do not edit. */')
print('#ifndef SMB3D_TESTS_GOLDEN_FILE_H')
print('#define SMB3D_TESTS_GOLDEN_FILE_H')
print('#include <stdint.h>')
for n, f in [('golden_create_req', create_req), ('golden_create_rsp', create_rsp), ('golden_read_req', read_req),
             ('golden_write_req', write_req), ('golden_lock_req', lock_req),
             ('golden_query_directory_req', query_directory_req), ('golden_query_info_req', query_info_req),
             ('golden_set_info_req', set_info_req), ('golden_close_rsp', close_rsp), ('golden_all_info', all_info),
             ('golden_id_both_dir', id_both_dir), ('golden_full_ea', lambda: full_ea(EAS)),
             ('golden_sd', security_descriptor), ('golden_notify', notify), ('golden_fs_volume', fs_volume),
             ('golden_fs_attribute', fs_attribute)]:
    emit(n, f())
print('#endif')
