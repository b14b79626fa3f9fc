#!/usr/bin/env bash
# e2e_run.sh — `capio run` without a TAP: the built-in client on the
# in-process wire checks every reply, on the CAPIO path and the kernel path;
# bad arguments exit 2.
set -u
capio=$1
fail=0
# Our own scratch directory: tests run in parallel in the same build dir.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capio-e2e.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
for app in udp-echo memcached; do
  for path in "" "--kernel-path"; do
    out=$("$capio" run $app --ops 500 $path 2>&1); rc=$?
    [[ $rc == 0 && $out == *"500 operations, 500 verified, 0 failed, 0 timed out"* ]] ||
      { echo "FAILED: run $app $path: rc $rc: $out"; fail=1; }
  done
done
for bad in "" "nosuchapp" "memcached --port 0" "memcached --port 70000" "udp-echo --ip 10.0.0.1" \
           "udp-echo --ip 300.1.1.1/24" "memcached --host-ip 10.0.0.1/24" "memcached --bogus" "memcached --tap"; do
  "$capio" run $bad >/dev/null 2>"$tmp/err.txt"; rc=$?
  [[ $rc == 2 ]] || { echo "FAILED: run $bad exited $rc"; fail=1; }
  head -1 "$tmp/err.txt" | grep -q '^capio run: ' && grep -q '^usage: ' "$tmp/err.txt" || { echo "FAILED: run $bad: message"; fail=1; }
done
"$capio" run --help | grep -q '^usage: capio run' || { echo "FAILED: help"; fail=1; }
[[ $fail == 0 ]] && echo "e2e_run: all passed"
exit $fail
