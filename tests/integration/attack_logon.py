#!/usr/bin/python3
"""Password guessing against smb3d, the ways that got around its back-off
(issue 14, items 5 and 7), each bounded now; and the session rules of item 7.
Prints one 'PASS name detail' or 'FAIL name detail' line per check.
Usage: attack_logon.py PORT USER PASSWORD

Every scenario guesses for a user name of its own (unknown users and wrong
passwords are throttled alike), over loopback, where the server keeps no
per-network counter (SSH tunnels), so only the per-user counter bounds them.
Sequentially a user gets 3 free tries, then replies 200, 400, 800, 1600,
3200 ms apart: about 8 answered guesses in 8 s, against hundreds before."""
import struct
import sys
import threading
import time

import rawsmb
from rawsmb import Conn

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
WINDOW = 8.0
BOUND = 14  # answered guesses in WINDOW seconds, with room for scheduling
failed = 0


def report(ok, name, detail):
    global failed
    print(('PASS' if ok else 'FAIL'), name, detail, flush=True)
    failed += 0 if ok else 1


def guess(target, src=None, timeout=WINDOW + 35):
    """One wrong logon on a new connection; True if it was answered."""
    try:
        c = Conn(port, src=src, timeout=timeout)
        c.negotiate()
        st, _, _ = c.logon(target, 'wrong-%f' % time.monotonic())
        c.close()
        return st == rawsmb.STATUS_LOGON_FAILURE
    except (ConnectionError, OSError):
        return False


def legit_logon_seconds():
    t = time.monotonic()
    c = Conn(port, timeout=10)
    c.negotiate()
    st, _, _ = c.logon(user, password)
    c.close()
    return st, time.monotonic() - t


# 1. an anonymous logon between guesses used to reset the address's counter
answered, t0 = 0, time.monotonic()
while time.monotonic() - t0 < WINDOW:
    answered += guess('victim-anon')
    a = Conn(port)
    a.negotiate()
    a.anonymous_logon()
    a.close()
report(answered <= BOUND, 'anonymous-between-guesses', '%d guesses answered in %.0f s' % (answered, WINDOW))

# 2. guesses pipelined on one connection (8: the server's limit of logons in
# progress per connection): replies held in line, as if sent one by one
c = Conn(port, timeout=WINDOW + 40)
c.negotiate()
legs = [c.ntlm_first_leg() for _ in range(8)]
msgs = [c.authenticate_msg(sid, t1, chal, 'victim-pipe', 'wrong') for sid, t1, chal in legs]
t0 = time.monotonic()
c.send(*msgs)
answered, t_last = 0, 0.0
c.s.settimeout(1.0)
while time.monotonic() - t0 < WINDOW and answered < 8:
    try:
        r = c.recv()
    except (TimeoutError, OSError, ConnectionError) as e:
        if isinstance(e, ConnectionError):
            break
        continue
    if r.status == rawsmb.STATUS_LOGON_FAILURE:
        answered += 1
        t_last = time.monotonic() - t0
c.close()
# sequentially the 8th failure comes 6.2 s after the first (3 free, then
# 200+400+800+1600+3200 ms): pipelined it must come no sooner
report(answered < 8 or t_last >= 6.0, 'pipelined-guesses',
       '%d of 8 pipelined guesses answered in %.0f s, the last after %.1f s' % (answered, WINDOW, t_last))

# 3. a new source address for every guess (127.0.x.y)
answered, t0, i = 0, time.monotonic(), 0
while time.monotonic() - t0 < WINDOW:
    i += 1
    answered += guess('victim-rotate', src='127.0.%d.%d' % (i // 250, 1 + i % 250))
report(answered <= BOUND, 'rotating-addresses', '%d guesses from %d addresses answered in %.0f s' % (answered, i, WINDOW))

# 4. sixteen connections guessing at once, while the real user logs on
answers = []
stop = time.monotonic() + WINDOW


def worker():
    # what is not answered within the window counts as not answered
    while time.monotonic() < stop:
        answers.append(guess('victim-parallel', timeout=max(0.1, stop - time.monotonic())))


threads = [threading.Thread(target=worker) for _ in range(16)]
for t in threads:
    t.start()
time.sleep(3)
st, took = legit_logon_seconds()
for t in threads:
    t.join()
n = sum(answers)
report(n <= BOUND, 'parallel-guesses', '%d guesses answered in %.0f s over 16 connections' % (n, WINDOW))
report(st == 0 and took < 1.0, 'others-served-during-attack', 'the real user logged on in %.3f s' % took)

# 5. a right guess after wrong ones is not answered before them
c = Conn(port, timeout=60)
c.negotiate()
legs = [c.ntlm_first_leg() for _ in range(6)]
msgs = [c.authenticate_msg(sid, t1, chal, user, 'wrong') for sid, t1, chal in legs[:5]]
msgs.append(c.authenticate_msg(legs[5][0], legs[5][1], legs[5][2], user, password))
t0 = time.monotonic()
c.send(*msgs)
order = []
try:
    while len(order) < 6:
        r = c.recv()
        order.append(r.status)
except (ConnectionError, OSError):
    pass
took = time.monotonic() - t0
c.close()
ok = len(order) == 6 and order[-1] == 0 and all(s == rawsmb.STATUS_LOGON_FAILURE for s in order[:5]) and took >= 0.5
report(ok, 'right-guess-waits-in-line', 'statuses %s after %.2f s' % ([hex(s) for s in order], took))
# the user's own success reset the user's counter: served at once again
st, took = legit_logon_seconds()
report(st == 0 and took < 1.0, 'success-resets-own-counter', 'logon in %.3f s' % took)

# 6. (item 7) raw NTLMSSP logon: a well-formed 9-byte reply, a usable session
c = Conn(port)
c.negotiate()
sid, t1, chal = c.ntlm_first_leg()
c.send(c.authenticate_msg(sid, t1, chal, user, password))
r = c.recv()
ok = r.status == 0 and len(r.body) == 9 and struct.unpack_from('<HHHH', r.body) == (9, 0, 0, 0)
report(ok, 'raw-ntlmssp-reply', 'status %#x, body %s' % (r.status, r.body.hex()))

# 7. (item 7) LOGOFF, then a TREE_CONNECT on the session in the same compound
mid = c.next_mid()
c.send(rawsmb.compound([Conn.logoff_msg(mid, sid), Conn.tree_connect_msg(mid + 1, sid, '\\\\127.0.0.1\\IPC$')]))
c.mid += 1
rs = c.recv().split()
ok = len(rs) == 2 and rs[0].status == 0 and rs[1].status == rawsmb.STATUS_USER_SESSION_DELETED
report(ok, 'request-after-logoff-in-compound', 'statuses %s' % [hex(x.status) for x in rs])
c.close()

# 8. (item 7) restrict anonymous = 2 (set in the test's config): no IPC$ for a null session
c = Conn(port)
c.negotiate()
sid, t1, chal = c.ntlm_first_leg()
from impacket import ntlm  # noqa: E402
t3, _ = ntlm.getNTLMSSPType3(t1, chal, '', '', '')
c.send(Conn.session_setup_msg(c.next_mid(), sid, t3.getData()))
r = c.recv()
c.send(Conn.tree_connect_msg(c.next_mid(), sid, '\\\\127.0.0.1\\IPC$'))
t = c.recv()
report(r.status == 0 and t.status == rawsmb.STATUS_ACCESS_DENIED, 'restrict-anonymous-2',
       'anonymous logon %#x, IPC$ %#x' % (r.status, t.status))
c.close()
sys.exit(1 if failed else 0)
