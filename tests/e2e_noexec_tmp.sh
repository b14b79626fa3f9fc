#!/usr/bin/env bash
# e2e_noexec_tmp.sh — each simulated process loads a private lwIP without
# writing an executable file anywhere: `capio demo` and `capio run` work
# with /tmp mounted noexec (a common hardening) and TMPDIR pointing nowhere.
# Needs root and a private mount namespace (unshare -m); skips without.
set -u
capio=$(readlink -f "$1")
skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (mounts a noexec /tmp in a private mount namespace)"
command -v unshare >/dev/null || skip "no unshare (util-linux)"
unshare -m true 2>/dev/null || skip "cannot make a mount namespace here (a chroot or container whose / is not a mount point?)"
fail=0
# Inside: a fresh noexec tmpfs on /tmp, seen by this command only.
in_noexec() {
	unshare -m sh -c 'mount --make-rprivate / 2>/dev/null; mount -t tmpfs -o noexec,nosuid,nodev tmpfs /tmp || exit 99; exec "$@"' sh "$@"
}
out=$(in_noexec sh -c 'grep " /tmp " /proc/mounts') || skip "cannot mount a tmpfs on /tmp here"
[[ $out == *noexec* ]] || skip "the tmpfs on /tmp is not noexec: $out"
# capio itself may live under /tmp (a checkout there): open it before the
# tmpfs hides its path, and run it through the descriptor.
capio_noexec() {
	unshare -m sh -c 'exec 3<"$1" || exit 98; shift; mount --make-rprivate / 2>/dev/null; mount -t tmpfs -o noexec,nosuid,nodev tmpfs /tmp || exit 99; exec /proc/self/fd/3 "$@"' sh "$capio" "$@"
}
for cmd in "demo" "run memcached --ops 300" "run udp-echo --ops 300"; do
	out=$(TMPDIR=/nonexistent capio_noexec $cmd 2>&1); rc=$?
	if [[ $rc != 0 || $out == *"failed to map segment"* || $out == *"cannot load"* ]]; then
		echo "FAILED: capio $cmd with a noexec /tmp: exit $rc"; printf '%s\n' "$out" | tail -5; fail=1
	fi
done
[[ $fail == 0 ]] && echo "e2e_noexec_tmp: demo and run work with a noexec /tmp"
exit $fail
