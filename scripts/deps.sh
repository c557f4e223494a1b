#!/usr/bin/env bash
# Installs the Debian 12 packages smb3d needs and that are missing.
#   scripts/deps.sh build   what building and serving need
#   scripts/deps.sh test    also the test tools (cmocka, clang for fuzzing,
#                           smbclient and smbtorture, impacket)
set -euo pipefail
want=(gcc meson ninja-build pkg-config libssl-dev liburing-dev)
if [[ "${1:-build}" == test ]]; then
	want+=(libcmocka-dev clang libclang-rt-14-dev smbclient samba-testsuite samba-common-bin python3-impacket
		python3 procps iproute2 util-linux passwd
		qemu-system-x86 busybox-static cifs-utils kmod)
fi
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || { echo "run as root (or install sudo) to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || true
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
