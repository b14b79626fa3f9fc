#!/usr/bin/env bash
# e2e_tap.sh — the TAP wire against the host kernel, set up with the very
# commands docs/wires.md gives users, inside a throwaway network namespace
# (10.77.0.0/24 exists only there; nothing leaves it). Runs the test_tap
# program built next to capio. Exit 77 (skip) without root or TUN/TAP.
set -u
capio=${1:?usage: e2e_tap.sh /path/to/capio}
bin=$(dirname "$capio")/test_tap

skip() { echo "e2e_tap: SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (creates a network namespace)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v ip >/dev/null || skip "no ip command (apt-get install iproute2)"
[ -x "$bin" ] || { echo "e2e_tap: $bin is not built"; exit 1; }

ns=capio-test-$$
host_had=0
ip link show capio0 >/dev/null 2>&1 && host_had=1
ip netns add "$ns" || skip "cannot create network namespace $ns"
cleanup() {
	ip netns exec "$ns" ip link del capio0 2>/dev/null
	ip netns del "$ns"
}
trap cleanup EXIT
in_ns() { ip netns exec "$ns" "$@"; }
# `ip netns exec` remounts /sys: it fails in a chroot or a container whose
# / is not a mount point.
in_ns true 2>/dev/null || skip "'ip netns exec' does not work here (a chroot or container whose / is not a mount point?)"

# docs/wires.md, "TAP setup".
in_ns ip tuntap add dev capio0 mode tap || exit 1
in_ns ip addr add 10.77.0.1/24 dev capio0 || exit 1
in_ns ip link set capio0 up || exit 1

in_ns "$bin" --existing capio0
rc=$?
# The TAP and its address never reached the host's own namespace.
if [ $host_had = 0 ] && ip link show capio0 >/dev/null 2>&1; then
	echo "e2e_tap: capio0 visible outside the namespace"
	rc=1
fi
exit $rc
