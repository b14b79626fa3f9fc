#!/bin/bash
# e2e_demo.sh CAPIO — `capio demo` shows a slice, a load and a trapping
# out-of-bounds store that leaves memory unchanged; bad arguments exit 2.
set -u
capio=$1
fail=0
err() { echo "e2e_demo: $*" >&2; fail=1; }

out=$("$capio" demo 2>&1)
rc=$?
[ $rc -eq 0 ] || err "capio demo exited $rc"
echo "$out" | grep -q "ld32(slice, 0) = 0x12345678" || err "no load through the slice"
echo "$out" | grep -q -- "-> trap: bounds, va 0x10000104" || err "no bounds trap"
echo "$out" | grep -q "store of 4 bytes at va 0x10000104" || err "no fault record"
echo "$out" | grep -q "0xcafef00d (unchanged)" || err "memory not shown unchanged"

"$capio" demo --help >/dev/null 2>&1 || err "demo --help failed"
"$capio" demo --bogus >/dev/null 2>/tmp/e2e_demo.$$
rc=$?
[ $rc -eq 2 ] || err "demo --bogus exited $rc, not 2"
grep -q "^capio: " /tmp/e2e_demo.$$ || err "no 'capio: ' error line"
grep -q "^usage: " /tmp/e2e_demo.$$ || err "no usage line"
rm -f /tmp/e2e_demo.$$

[ $fail -eq 0 ] && echo "e2e_demo: ok"
exit $fail
