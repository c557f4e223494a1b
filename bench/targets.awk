# Checks bench/run.sh result lines against the performance issue's targets.
#   awk -f bench/targets.awk RESULTS        (RESULTS: the output of bench/run.sh)
# Prints one line per target and figure: met / BELOW / n/a (figure missing or failed).
function num(v) { return v ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ }
function check(target, fig, col, op, goal,    v, ok) {
	if (!(fig in smb3d)) { printf "%-34s %-34s %10s %-10s n/a (not run)\n", target, fig, "-", op goal; return }
	v = col == "ratio" ? ratio[fig] : smb3d[fig]
	if (!num(v)) { printf "%-34s %-34s %10s %-10s n/a (%s)\n", target, fig, v, op goal, v == "FAIL" ? "smb3d failed" : "no value"; return }
	ok = (op == ">=") ? (v + 0 >= goal) : (op == "<=") ? (v + 0 <= goal) : (v + 0 < goal)
	printf "%-34s %-34s %10s %-10s %s\n", target, fig, v, op goal, ok ? "met" : "BELOW"
}
/^#/ || NF < 5 || $1 == "name" { next }
{ smb3d[$1] = $2; samba[$1] = $3; ratio[$1] = $4; order[++n] = $1 }
END {
	printf "%-34s %-34s %10s %-10s %s\n", "target", "figure", "value", "goal", "verdict"
	for (d = 1; d <= 16; d *= 16)
		for (k = 1; k <= 2; k++) {
			op = k == 1 ? "read" : "write"
			check("seq unsigned >= 1.5x Samba", "seq_" op "_d" d "_plain", "ratio", ">=", 1.5)
		}
	for (d = 1; d <= 16; d *= 16)
		check("seq reads >= 80% of loopback TCP", "seq_read_d" d "_plain_of_limit", "smb3d", ">=", 0.8)
	for (d = 1; d <= 16; d *= 16)
		for (k = 1; k <= 2; k++) {
			op = k == 1 ? "read" : "write"
			check("AES-128-GCM >= 2x Samba", "seq_" op "_d" d "_aes128gcm", "ratio", ">=", 2)
		}
	check("metadata >= 2x Samba", "create", "ratio", ">=", 2)
	check("metadata >= 2x Samba", "stat", "ratio", ">=", 2)
	check("metadata >= 2x Samba", "list_small", "ratio", ">=", 2)
	check("metadata >= 2x Samba", "list_big", "ratio", ">=", 2)
	for (i = 1; i <= n; i++)
		if (order[i] ~ /_srv_cpu$/)
			check("server CPU/GiB <= 1/2 Samba", order[i], "ratio", "<=", 0.5)
	check("memory/session <= 1/10 Samba", "pss_per_session", "ratio", "<=", 0.1)
	check("10,000 sessions held", "sessions_held", "smb3d", ">=", 10000)
	check("startup < 20 ms", "startup_to_first_accept", "smb3d", "<", 20)
}
