#!/usr/bin/python3
# Generates tests/unit/crypto/vectors.h, the known-answer data of test_crypto.c.
# Every expected value comes either from Microsoft's published SMB 3.x test
# vectors (checked here against the independent implementations before being
# written out) or from python3-impacket / python3-cryptography, never from smb3d.
#
#   apt-get install -y python3-impacket python3-cryptography
#   /usr/bin/python3 tests/unit/crypto/gen_vectors.py > tests/unit/crypto/vectors.h
import hashlib
import hmac
import struct
import sys
from binascii import unhexlify

from cryptography.hazmat.primitives import cmac, hashes
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM
from cryptography.hazmat.primitives.kdf.kbkdf import CounterLocation, KBKDFHMAC, Mode
from impacket import crypto as imp

out = []


def emit(name, data, comment=None):
    if comment:
        out.append("/* %s */" % comment)
    out.append("static const uint8_t %s[%d] = {" % (name, len(data)))
    for i in range(0, len(data), 12):
        out.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    out.append("};")


def emit_u64(name, v):
    out.append("#define %s UINT64_C(0x%016x)" % (name, v))


def h(s):
    return unhexlify("".join(s.split()))


def pattern(n, mul, add):
    return bytes((i * mul + add) & 0xFF for i in range(n))


# ---- KDF: cryptography's KBKDFHMAC, cross-checked with impacket's ----------

def kdf_crypt(key, label, context, n):
    return KBKDFHMAC(algorithm=hashes.SHA256(), mode=Mode.CounterMode, length=n, rlen=4, llen=4,
                     location=CounterLocation.BeforeFixed, label=label, context=context,
                     fixed=None).derive(key)


def kdf(key, label, context, n):
    a = kdf_crypt(key, label, context, n)
    if n in (16, 32):
        b = imp.KDF_CounterMode(key, label, context, n * 8)
        assert a == b, "impacket and cryptography disagree on the KDF"
    return a


# ---- Microsoft vectors ------------------------------------------------------
# [MS30] "Encryption in SMB 3.0: A protocol perspective", Microsoft Open
#        Specifications blog, 2012-10-05 (SMB 3.0, AES-128-CCM).
# [MS311] "SMB 3.1.1 Encryption in Windows 10", Open Specifications blog,
#        2015-09-09 (SMB 3.1.1, AES-128-GCM).
# [MSPA] "SMB 3.1.1 Pre-authentication integrity in Windows 10", Open
#        Specifications blog, 2015-08-11.

MS30_SESSION_KEY = h("B4546771B515F766A86735532DD6C4F0")
MS30_SESSION_ID = 0x8E40014000011
MS30_CLIENT_ENC_KEY = h("261B72350558F2E9DCF613070383EDBF")  # = server DecryptionKey
MS30_CLIENT_DEC_KEY = h("8FE2B57EC34D2DB5B1A9727F526BBDB5")  # = server EncryptionKey
MS30_PLAIN = h("""FE534D4240000100000000000900400008000000000000000400000000000000
FFFE0000010000001100001400E4080000000000000000000000000000000000
3100700017000000000000000000000015010000390000020100000039020000
00000000000000007000000000000000536D623320656E6372797074696F6E20
74657374696E67""")
MS30_TRANSFORMED = h("""FD534D4281A286535415445DAE393921E44FA42E66E69A111892584FB5ED524A
744DA3EE87000000000001001100001400E4080025C8FEE16605A437832D1CD5
2DA9F4645333482A175FE5384563F45FCDAFAEF38BC62BA4D5C62897996625A4
4C29BE5658DE2E6117585779E7B59FFD971278D08580D7FA899E410E910EABF5
AA1DB43050B33B49182637759AC15D84BFCDF5B6B238993C0F4CF4D6012023F6
C627297075D84B7803912D0A9639634453595EF3E33FFE4E7AC2AB""")
MS30_RESP_TRANSFORMED = h("""FD534D42A6015530A18F6D9AFFE22AFAE8E66484860000000000000011000014
00E4080050000000000001001100001400E40800DBF46435C5F14169293CE079
E344479BF670227E49873F458672C3098DAC467DD5809F369D67409166515787
1483E01F7BECD02064EAC3E235F913668BBC2F097980D4B378F1993EFF6E60D1
77309E5B""")
MS30_RESP_PLAIN = h("""FE534D4240000100000000000900210009000000000000000400000000000000
FFFE0000010000001100001400E4080000000000000000000000000000000000
11000000170000000000000000000000""")

MS311_SESSION_KEY = h("419FDDF34C1E001909D362AE7FB6AF79")
MS311_PREAUTH = h("""B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9EDDDB
A7DB256BA2EA30E977F11F9B113247578E0E915C6D2A513B8F2FCA5707DC8770""")
MS311_SESSION_ID = 0x100000000025
MS311_CLIENT_ENC_KEY = h("A2F5E80E5D59103034F32E52F698E5EC")  # = server DecryptionKey
MS311_CLIENT_DEC_KEY = h("748C50868C90F302962A5C35F5F9A8BF")  # = server EncryptionKey
MS311_PLAIN = h("""FE534D4240000100000000000900010008000000000000000500000000000000
FFFE000001000000250000000010000000000000000000000000000000000000
3100700017000000000000000000000006000000040000000100000004000000
00000000000000007000000000000000536D623320656E6372797074696F6E20
74657374696E67""")
MS311_TRANSFORMED = h("""FD534D42BD73D97D2BC9001BCAFAC0FDFF5FEEBCC7D6822D269CAF48904C664C
0000000087000000000001002500000000100000
6ECDD2A7AFC7B47763057A041B8FD4DAFFE990B70C9E09D36C084E02D14EF247
F8BDE38ACF6256F8B1D3B56F77FBDEB312FEA5E92CBCC1ED8FB2EBBFAA75E49A
4A394BB44576545567C24D4C014D47C9FBDFDAFD2C4F9B72F8D256452620A299
F48E29E53D6B61D1C13A19E91AF013F00D17E3ABC2FC3D36C8C1B6B939732538
52DBD442E46EE8""")
MS311_RESP_TRANSFORMED = h("""FD534D42ACBE1CB7ED343ADF1725EF144D90D4B0E06831DD2E8EB7B4000000000000000050000000
00000100250000000010000026BBBF949983A6C1C796559D0F2C510CB651D1F7B6AC8DED32A2A0B8
F2D793A815C6F6B848D69767A215841A42D400AE6DDB5F0B44173A014973321FDD7950DA6179159B
82E03C9E18A050FF0EA1C967""")
MS311_RESP_PLAIN = h("""FE534D4240000100000000000900010001000000000000000500000000000000FFFE000001000000
25000000001000000000000000000000000000000000000011000000170000000000000000000000""")

MSPA_MSGS = [h(x) for x in [
    """FE534D4240000100000000000000800000000000000000000100000000000000FFFE000000000000
    00000000000000000000000000000000000000000000000024000500000000003F000000ECD86F32
    6276024F9F7752B89BB33F3A70000000020000000202100200030203110300000100260000000000
    010020000100FA49E6578F1F3A9F4CD3E9CC14A67AA884B3D05844E0E5A118225C15887F32FF0000
    0200060000000000020002000100""",
    """FE534D4240000100000000000000010001000000000000000100000000000000FFFE000000000000
    000000000000000000000000000000000000000000000000410001001103020039CBCAF329714942
    BDCE5D60F09AB3FB2F000000000080000000800000008000D8DAE5ADCBAED00109094AB095AED001
    80004001C00100006082013C06062B0601050502A08201303082012CA01A3018060A2B0601040182
    3702021E060A2B06010401823702020AA282010C048201084E45474F455854530100000000000000
    60000000700000007C7CC0FD06D6362D02DDE1CF343BFE292900F49750B4AA97934D9C4296B26E51
    FD370471B235E15A50DAE15BD5489C87000000000000000060000000010000000000000000000000
    5C33530DEAF90D4DB2EC4AE3786EC3084E45474F4558545303000000010000004000000098000000
    7C7CC0FD06D6362D02DDE1CF343BFE295C33530DEAF90D4DB2EC4AE3786EC3084000000058000000
    3056A05430523027802530233121301F06035504031318546F6B656E205369676E696E6720507562
    6C6963204B65793027802530233121301F06035504031318546F6B656E205369676E696E67205075
    626C6963204B6579010026000000000001002000010060A3C3B95C3C7CCD51EC536648D9B3AC74C4
    83CA5B65385A251117BEB30712E50000020004000000000001000200""",
    """FE534D4240000100000000000100800000000000000000000200000000000000FFFE000000000000
    00000000000000000000000000000000000000000000000019000001010000000000000058004A00
    0000000000000000604806062B0601050502A03E303CA00E300C060A2B06010401823702020AA22A
    04284E544C4D5353500001000000978208E200000000000000000000000000000000060380250000
    000F""",
    """FE534D4240000100160000C00100010001000000000000000200000000000000FFFE000000000000
    190000000010000000000000000000000000000000000000090000004800B300A181B03081ADA003
    0A0101A10C060A2B06010401823702020AA281970481944E544C4D53535000020000000C000C0038
    00000015828AE20D1D8BA31179D008000000000000000050005000440000000A0092270000000F53
    005500540033003100310002000C0053005500540033003100310001000C00530055005400330031
    00310004000C0053005500540033003100310003000C0053005500540033003100310007000800A1
    A1F5ADCBAED00100000000""",
    """FE534D4240000100000000000100800000000000000000000300000000000000FFFE000000000000
    1900000000100000000000000000000000000000000000001900000101000000000000005800CF01
    0000000000000000A18201CB308201C7A0030A0101A28201AA048201A64E544C4D53535000030000
    001800180090000000EE00EE00A80000000C000C00580000001A001A0064000000120012007E0000
    001000100096010000158288E2060380250000000FECAC77A5F385A8BF9C38C706EEEDDCD3530055
    005400330031003100610064006D0069006E006900730074007200610074006F0072004400520049
    0056004500520033003100310000000000000000000000000000000000000000000000000063078E
    B639FE03E20A231C3AE3BF23080101000000000000A1A1F5ADCBAED001BC4AD05F223CC90F000000
    0002000C0053005500540033003100310001000C0053005500540033003100310004000C00530055
    00540033003100310003000C0053005500540033003100310007000800A1A1F5ADCBAED001060004
    00020000000800300030000000000000000000000000300000B61FEFCAA857EA57BF1EDCEBF8974B
    8E0EBA5A6DFD9D07A31D11B548F8C9D0CC0A00100000000000000000000000000000000000090016
    0063006900660073002F005300550054003300310031000000000000000000000000003B9BDFF38F
    5EE8F9663F11A0F4C03A78A31204100100000063775A9A5FD97F0600000000""",
]]
MSPA_HASHES = [h(x) for x in [
    "DD94EFC5321BB618A2E208BA8920D2F422992526947A409B5037DE1E0FE8C7362B8C47122594CDE0"
    "CE26AA9DFC8BCDBDE0621957672623351A7540F1E54A0426",
    "324BFA92A4F3A190E466EBEA08D9C110DC88BFED758D9846ECC6F541CC1D02AE3C94A79F36011E99"
    "7E13F841B91B50957AD07B19C8E2539C0B23FDAE09D2C513",
    "AC0B0F2B9986257700365E416D142A6EDC96DF03594A19E52A15F6BD0D041CD5D432F8ED42C55E33"
    "197A50C9EC00F1462B50C592211B1471A04B56088FDFD5F9",
    "2729E3440DFDDD839E37193F6E8F20C20CEFB3469E453A70CD980EEC06B8835740A7376008563336"
    "4C8989895ECE81BF102DEEB14D4B7D48AFA76901A7A38387",
    "0DD13628CC3ED218EF9DF9772D436D0887AB9814BFAE63A80AA845F36909DB7928622DDDAD522D97"
    "51640A459762C5A9D6BB084CBB3CE6BDADEF5D5BCE3C6C01",
]]
MSPA_SESSION_KEY = h("270E1BA896585EEB7AF3472D3B4C75A7")
MSPA_SIGNING_KEY = h("73FE7A9A77BEF0BDE49C650D8CCB5F76")

# SMBLibrary (github.com/TalAloni/SMBLibrary) SMB2SigningTests.Test1: a signed
# 2.x error response as captured on the wire, with its HMAC-SHA256 signature.
CAP_HMAC_KEY = h("D38354CC374339F0524F789146789921")
CAP_HMAC_MSG = h("""fe534d4240000100280100c00b000700 0900000000000000 0400000000000000
fffe000001000000 0100000000040000 fbd284340324c62fbebb65dd1051f3ae 0900000000000000 ff""")
CAP_HMAC_SIG = CAP_HMAC_MSG[48:64]

# ---- check the Microsoft vectors against the independent implementations -----

# pre-auth hash chain
ph = bytes(64)
for m, want in zip(MSPA_MSGS, MSPA_HASHES):
    ph = hashlib.sha512(ph + m).digest()
    assert ph == want, "MSPA hash chain mismatch"
assert kdf(MSPA_SESSION_KEY, b"SMBSigningKey\0", ph, 16) == MSPA_SIGNING_KEY

# 3.0 keys and AES-128-CCM
assert kdf(MS30_SESSION_KEY, b"SMB2AESCCM\0", b"ServerIn \0", 16) == MS30_CLIENT_ENC_KEY
assert kdf(MS30_SESSION_KEY, b"SMB2AESCCM\0", b"ServerOut\0", 16) == MS30_CLIENT_DEC_KEY
t = MS30_TRANSFORMED
ct = AESCCM(MS30_CLIENT_ENC_KEY, 16).encrypt(t[20:31], MS30_PLAIN, t[20:52])
assert ct[:-16] == t[52:] and ct[-16:] == t[4:20], "MS30 request vector"
t = MS30_RESP_TRANSFORMED
assert AESCCM(MS30_CLIENT_DEC_KEY, 16).decrypt(t[20:31], t[52:] + t[4:20], t[20:52]) == MS30_RESP_PLAIN

# 3.1.1 keys and AES-128-GCM
assert kdf(MS311_SESSION_KEY, b"SMBC2SCipherKey\0", MS311_PREAUTH, 16) == MS311_CLIENT_ENC_KEY
assert kdf(MS311_SESSION_KEY, b"SMBS2CCipherKey\0", MS311_PREAUTH, 16) == MS311_CLIENT_DEC_KEY
t = MS311_TRANSFORMED
ct = AESGCM(MS311_CLIENT_ENC_KEY).encrypt(t[20:32], MS311_PLAIN, t[20:52])
assert ct[:-16] == t[52:] and ct[-16:] == t[4:20], "MS311 request vector"
t = MS311_RESP_TRANSFORMED
assert AESGCM(MS311_CLIENT_DEC_KEY).decrypt(t[20:32], t[52:] + t[4:20], t[20:52]) == MS311_RESP_PLAIN

assert hmac.new(CAP_HMAC_KEY, CAP_HMAC_MSG[:48] + bytes(16) + CAP_HMAC_MSG[64:],
                hashlib.sha256).digest()[:16] == CAP_HMAC_SIG

# ---- generated vectors ----------------------------------------------------------

# KDF
KDF_CASES = [
    ("kdf_a", MS30_SESSION_KEY, b"SMB2AESCMAC\0", b"SmbSign\0", 16),
    ("kdf_b", pattern(32, 29, 7), b"SMBC2SCipherKey\0", pattern(64, 13, 1), 32),
    ("kdf_c", pattern(20, 3, 200), b"a label", b"and a context", 48),
    ("kdf_d", pattern(16, 5, 9), b"x", b"", 7),
]

# session keys
KEY_3X_PREAUTH = pattern(64, 31, 77)
KEY_FULL32 = pattern(32, 41, 3)  # e.g. a Kerberos AES-256 session key


def keys30(sk):
    sk = (sk + bytes(16))[:16]
    return dict(signing=kdf(sk, b"SMB2AESCMAC\0", b"SmbSign\0", 16),
                application=kdf(sk, b"SMB2APP\0", b"SmbRpc\0", 16),
                encrypt=kdf(sk, b"SMB2AESCCM\0", b"ServerOut\0", 16),
                decrypt=kdf(sk, b"SMB2AESCCM\0", b"ServerIn \0", 16))


def keys311(full, preauth, klen):
    sk = (full + bytes(16))[:16]
    ck = full if klen == 32 else sk
    return dict(signing=kdf(sk, b"SMBSigningKey\0", preauth, 16),
                application=kdf(sk, b"SMBAppKey\0", preauth, 16),
                encrypt=kdf(ck, b"SMBS2CCipherKey\0", preauth, klen),
                decrypt=kdf(ck, b"SMBC2SCipherKey\0", preauth, klen))


k30 = keys30(MS30_SESSION_KEY)
assert k30["decrypt"] == MS30_CLIENT_ENC_KEY and k30["encrypt"] == MS30_CLIENT_DEC_KEY
k311 = keys311(MS311_SESSION_KEY, MS311_PREAUTH, 16)
assert k311["decrypt"] == MS311_CLIENT_ENC_KEY and k311["encrypt"] == MS311_CLIENT_DEC_KEY
k311_256_full = keys311(KEY_FULL32, KEY_3X_PREAUTH, 32)
k311_256_ntlm = keys311(MS311_SESSION_KEY, MS311_PREAUTH, 32)
k311_128_full = keys311(KEY_FULL32, KEY_3X_PREAUTH, 16)


# sample messages for signing: (name, bytes); each has junk in the signature field
def smb2_hdr(command, flags, message_id, session_id, status=0, credit=1, tree_id=1):
    return struct.pack("<4sHHIHHIIQIIQ16s", b"\xfeSMB", 64, 1, status, command, credit, flags, 0,
                       message_id, 0xFEFF, tree_id, session_id, pattern(16, 17, 0x5A))


SIGN_MSGS = [
    # READ response from server (SERVER_TO_REDIR | SIGNED), odd length
    ("msg_read_resp", smb2_hdr(0x0008, 0x00000009, 0x1234567, 0x100000000025) +
     struct.pack("<HBBIII", 17, 0x50, 0, 37, 0, 0) + pattern(37, 7, 3)),
    # CANCEL request from client (SIGNED)
    ("msg_cancel", smb2_hdr(0x000C, 0x00000008, 0x42, 0x100000000025, credit=0) +
     struct.pack("<HH", 4, 0)),
    # the [MS311] WRITE request, a client request
    ("msg_write_req", MS311_PLAIN[:48] + pattern(16, 3, 1) + MS311_PLAIN[64:]),
]
SIGN_KEY = pattern(16, 11, 0x33)


def zero_sig(m):
    return m[:48] + bytes(16) + m[64:]


def sig_hmac(key, m):
    return hmac.new(key, zero_sig(m), hashlib.sha256).digest()[:16]


def sig_cmac(key, m):
    c = cmac.CMAC(algorithms.AES(key))
    c.update(zero_sig(m))
    a = c.finalize()
    assert a == imp.AES_CMAC(key, zero_sig(m), len(m)), "impacket and cryptography disagree on CMAC"
    return a


def sig_gmac(key, m):
    command, = struct.unpack_from("<H", m, 12)
    flags, = struct.unpack_from("<I", m, 16)
    mid, = struct.unpack_from("<Q", m, 24)
    bits = (1 if flags & 1 else 0) | (2 if command == 0x0C else 0)
    nonce = struct.pack("<QI", mid, bits)
    return AESGCM(key).encrypt(nonce, b"", zero_sig(m))  # tag only


# encryption: one message, each cipher
ENC_PLAIN = SIGN_MSGS[0][1] + pattern(211, 13, 5)
ENC_SESSION_ID = 0x0000400000000071
ENC_CASES = [
    ("aes128_ccm", 1, k311["encrypt"], pattern(11, 19, 0x80)),
    ("aes128_gcm", 2, k311["encrypt"], pattern(12, 23, 0x11)),
    ("aes256_ccm", 3, k311_256_full["encrypt"], pattern(11, 37, 0x42)),
    ("aes256_gcm", 4, k311_256_full["encrypt"], pattern(12, 43, 0x99)),
]


def transform(cipher, key, nonce, session_id, plain):
    hdr = struct.pack("<I16s16sIHHQ", 0x424D53FD, bytes(16), nonce + bytes(16 - len(nonce)), len(plain),
                      0, 1, session_id)
    aad = hdr[20:52]
    if cipher in (1, 3):
        ct = AESCCM(key, 16).encrypt(nonce, plain, aad)
    else:
        ct = AESGCM(key).encrypt(nonce, plain, aad)
    return hdr[:4] + ct[-16:] + hdr[20:], ct[:-16]


# ---- output -------------------------------------------------------------------------

out.append("/* Known-answer vectors for test_crypto.c. GENERATED by gen_vectors.py from")
out.append(" * Microsoft's published SMB 3.x test vectors and from python3-impacket /")
out.append(" * python3-cryptography; do not edit by hand. */")
out.append("#ifndef SMB3D_TEST_CRYPTO_VECTORS_H")
out.append("#define SMB3D_TEST_CRYPTO_VECTORS_H")
out.append("")
out.append("#include <stdint.h>")
out.append("")
out.append("/* ==== Microsoft: \"Encryption in SMB 3.0: A protocol perspective\" (2012) ==== */")
emit("ms30_session_key", MS30_SESSION_KEY)
emit_u64("MS30_SESSION_ID", MS30_SESSION_ID)
emit("ms30_server_decrypt_key", MS30_CLIENT_ENC_KEY, "the client's EncryptionKey (ServerIn)")
emit("ms30_server_encrypt_key", MS30_CLIENT_DEC_KEY, "the client's DecryptionKey (ServerOut)")
emit("ms30_req_plain", MS30_PLAIN)
emit("ms30_req_transformed", MS30_TRANSFORMED,
     "client->server; the nonce's 5 padding bytes are not zero in this sample")
emit("ms30_resp_plain", MS30_RESP_PLAIN)
emit("ms30_resp_transformed", MS30_RESP_TRANSFORMED, "server->client")
out.append("")
out.append("/* ==== Microsoft: \"SMB 3.1.1 Encryption in Windows 10\" (2015) ==== */")
emit("ms311_session_key", MS311_SESSION_KEY)
emit("ms311_preauth", MS311_PREAUTH)
emit_u64("MS311_SESSION_ID", MS311_SESSION_ID)
emit("ms311_server_decrypt_key", MS311_CLIENT_ENC_KEY, "the client's EncryptionKey (SMBC2SCipherKey)")
emit("ms311_server_encrypt_key", MS311_CLIENT_DEC_KEY, "the client's DecryptionKey (SMBS2CCipherKey)")
emit("ms311_req_plain", MS311_PLAIN)
emit("ms311_req_transformed", MS311_TRANSFORMED, "client->server, AES-128-GCM")
emit("ms311_resp_plain", MS311_RESP_PLAIN)
emit("ms311_resp_transformed", MS311_RESP_TRANSFORMED, "server->client, AES-128-GCM")
out.append("")
out.append("/* ==== Microsoft: \"SMB 3.1.1 Pre-authentication integrity in Windows 10\" (2015) ==== */")
for i, (m, hh) in enumerate(zip(MSPA_MSGS, MSPA_HASHES)):
    emit("mspa_msg%d" % i, m)
    emit("mspa_hash%d" % i, hh)
emit("mspa_session_key", MSPA_SESSION_KEY)
emit("mspa_signing_key", MSPA_SIGNING_KEY)
out.append("")
out.append("/* ==== captured 2.x HMAC-SHA256 signed message (SMBLibrary SMB2SigningTests.Test1) ==== */")
emit("cap_hmac_key", CAP_HMAC_KEY)
emit("cap_hmac_msg", CAP_HMAC_MSG, "signature field holds the peer's signature")
out.append("")
out.append("/* ==== generated: KDF (python3-cryptography KBKDFHMAC; impacket for 16/32) ==== */")
for name, key, label, ctx, n in KDF_CASES:
    emit(name + "_key", key)
    emit(name + "_label", label)
    emit(name + "_ctx", ctx if ctx else b"\0", "empty context" if not ctx else None)
    out.append("#define %s_CTX_LEN %d" % (name.upper(), len(ctx)))
    emit(name + "_out", kdf(key, label, ctx, n))
out.append("")
out.append("/* ==== generated: session keys (impacket KDF_CounterMode) ==== */")
emit("key_preauth", KEY_3X_PREAUTH)
emit("key_full32", KEY_FULL32, "32-byte session key (Session.FullSessionKey)")
for tag, k in [("k30", k30), ("k311_128", k311), ("k311_256_full", k311_256_full),
               ("k311_256_ntlm", k311_256_ntlm), ("k311_128_full", k311_128_full)]:
    for field in ("signing", "application", "encrypt", "decrypt"):
        emit("%s_%s" % (tag, field), k[field])
out.append("")
out.append("/* ==== generated: signatures (hmac/hashlib, cryptography CMAC = impacket AES_CMAC, cryptography AESGCM) ==== */")
emit("sign_key", SIGN_KEY)
for name, m in SIGN_MSGS:
    emit(name, m)
    emit(name + "_hmac", sig_hmac(SIGN_KEY, m))
    emit(name + "_cmac", sig_cmac(SIGN_KEY, m))
    emit(name + "_gmac", sig_gmac(SIGN_KEY, m))
out.append("")
out.append("/* ==== generated: transform (python3-cryptography AESCCM / AESGCM) ==== */")
emit("enc_plain", ENC_PLAIN)
emit_u64("ENC_SESSION_ID", ENC_SESSION_ID)
for name, cid, key, nonce in ENC_CASES:
    hdr, ct = transform(cid, key, nonce, ENC_SESSION_ID, ENC_PLAIN)
    emit("enc_%s_key" % name, key)
    emit("enc_%s_nonce" % name, nonce)
    emit("enc_%s_hdr" % name, hdr)
    emit("enc_%s_ct" % name, ct)
out.append("")
out.append("#endif")
sys.stdout.write("\n".join(out) + "\n")
