#!/usr/bin/env python3
"""Writes seed inputs for the create, file_reqs, setinfo and wildcard fuzz
targets into tests/fuzz/seeds/<target>/, taken from the impacket-built golden
messages in tests/unit/wire/golden_file.h. Run from the repository root."""
import os
import re

src = open('tests/unit/wire/golden_file.h').read()
g = {m.group(1): bytes(int(x, 16) for x in re.findall(r'0x([0-9a-f]{2})', m.group(2)))
     for m in re.finditer(r'static const uint8_t (\w+)\[\] = \{(.*?)\};', src, re.S)}


def put(target, name, data):
    d = os.path.join('tests/fuzz/seeds', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


put('create', 'create_req', g['golden_create_req'])
put('create', 'ctx_area', g['golden_create_req'][144:])
for k in ('read', 'write', 'lock', 'query_directory', 'query_info', 'set_info'):
    put('file_reqs', k, g['golden_%s_req' % k])
put('setinfo', 'rename', g['golden_set_info_req'][96:])
put('setinfo', 'full_ea', g['golden_full_ea'])
put('setinfo', 'sd', g['golden_sd'])
put('wildcard', 'dos_star', bytes([6]) + '*.<'.encode('utf-16-le') + 'ab.c'.encode('utf-16-le'))
put('wildcard', 'dos_qm', bytes([12]) + 'a>"*<?'.encode('utf-16-le') + 'a.b.c'.encode('utf-16-le'))
