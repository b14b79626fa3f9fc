#!/bin/bash
# e2e_demo.sh CAPIO — `capio demo`: memcached through CAPIO with every reply
# verified, no system call on the data path, the attacker trapped; and
# `capio demo --machine`: a slice, a load, a trapping store, memory unchanged.
set -u
capio=$1
fail=0
err() { echo "e2e_demo: $*" >&2; fail=1; }

out=$("$capio" demo --ops 1500 2>&1)
rc=$?
[ $rc -eq 0 ] || err "capio demo exited $rc"
echo "$out" | grep -q "1500 done, 1500 verified, 0 failed, 0 timed out" || err "not every reply verified"
echo "$out" | grep -q "system calls on the data path: server 0, client 0" || err "system calls on the data path"
echo "$out" | grep -q "SIGPROT: bounds, e1000e2 BAR0+0x3800 (TDBAL)" || err "the attack was not trapped"
echo "$out" | grep -Eq "get +n=[0-9]+ +p50" || err "no latency percentiles"
echo "$out" | grep -q "^demo: every reply verified" || err "no verdict"
[ $fail -eq 0 ] || echo "$out"

out=$("$capio" demo --machine 2>&1)
rc=$?
[ $rc -eq 0 ] || err "capio demo --machine exited $rc"
echo "$out" | grep -q "ld32(slice, 0) = 0x12345678" || err "no load through the slice"
echo "$out" | grep -q -- "-> trap: bounds, va 0x10000104" || err "no bounds trap"
echo "$out" | grep -q "store of 4 bytes at va 0x10000104" || err "no fault record"
echo "$out" | grep -q "0xcafef00d (unchanged)" || err "memory not shown unchanged"

"$capio" demo --help >/dev/null 2>&1 || err "demo --help failed"
for bad in "--bogus" "--ops" "--ops 0" "--ops x"; do
  "$capio" demo $bad >/dev/null 2>/tmp/e2e_demo.$$
  rc=$?
  [ $rc -eq 2 ] || err "demo $bad exited $rc, not 2"
  grep -q '^capio demo: ' /tmp/e2e_demo.$$ || err "demo $bad: no 'capio demo: ' error line"
  grep -q "^usage: " /tmp/e2e_demo.$$ || err "demo $bad: no usage line"
done
rm -f /tmp/e2e_demo.$$

[ $fail -eq 0 ] && echo "e2e_demo: ok"
exit $fail
