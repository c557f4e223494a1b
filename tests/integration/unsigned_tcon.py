#!/usr/bin/python3
"""Sends an unsigned TREE_CONNECT from an authenticated SMB 3.1.1 session
(impacket, with signing switched off after the logon). [MS-SMB2] 3.3.5.7:
the server must disconnect. Prints ACCEPTED or REFUSED.
Usage: unsigned_tcon.py PORT USER PASSWORD SHARE"""
import sys

from impacket.smb3structs import SMB2_DIALECT_311
from impacket.smbconnection import SMBConnection

port, user, password, share = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
conn = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port, preferredDialect=SMB2_DIALECT_311)
conn.login(user, password)
smb3 = conn._SMBConnection
smb3._Session['SigningActivated'] = False  # the tree connect goes out unsigned
try:
    smb3.connectTree(share)
    print('ACCEPTED')
except Exception as e:  # the server hangs up (or answers an error)
    print('REFUSED', type(e).__name__)
