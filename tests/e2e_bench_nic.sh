#!/usr/bin/env bash
# e2e_bench_nic.sh — `capio bench nic` prints its JSON line; bad input exits 2.
set -u
capio=$1
fail=0
out=$("$capio" bench nic --packets 20000 --json) || { echo "FAILED: exit $?"; fail=1; }
[[ $out =~ ^\{\"mpps_64\":[0-9.]+,\"mpps_1518\":[0-9.]+, ]] || { echo "FAILED: JSON: $out"; fail=1; }
[[ $out == *'"lost_64":0,"lost_1518":0'* ]] || { echo "FAILED: frames lost: $out"; fail=1; }
"$capio" bench nic --packets x >/dev/null 2>&1; [[ $? == 2 ]] || { echo "FAILED: bad --packets"; fail=1; }
err=$("$capio" bench nic --packets 2>&1 >/dev/null); rc=$?
[[ $rc == 2 && $err == "capio bench nic: --packets needs a value"* ]] ||
	{ echo "FAILED: --packets with no value: $rc $err"; fail=1; }
"$capio" bench nic --help | grep -q '^usage: capio bench nic' || { echo "FAILED: help"; fail=1; }
[[ $fail == 0 ]] && echo "e2e_bench_nic: all passed"
exit $fail
