#!/bin/sh
# ctest.sh BUILD_DIR [JOBS] — run CTest in BUILD_DIR and end with one line
# "tests: N passed, N failed, N skipped", after the reason each skipped
# test gave (a test skips by printing "SKIPPED: why" and exiting 77).
set -u
dir=$1
jobs=${2:-2}
log=$dir/ctest.log
cd "$dir" || exit 1
rc=0
ctest --output-on-failure -j "$jobs" >ctest.log 2>&1 || rc=$?
cat ctest.log
skipped=$(sed -n 's/^[[:space:]]*[0-9]* - \([A-Za-z0-9_]*\) (Skipped)$/\1/p' ctest.log)
total=$(sed -n 's/.* tests failed out of \([0-9]*\)$/\1/p' ctest.log)
failed=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' ctest.log)
if [ -z "$total" ] || [ -z "$failed" ]; then
	echo "tests: CTest ran no test or its summary was unreadable (see $log)"
	exit 1
fi
nskip=0
if [ -n "$skipped" ]; then
	echo
	echo "skipped, with the reason each gave:"
	for t in $skipped; do
		nskip=$((nskip + 1))
		# The test's own output is in CTest's log of the last run.
		why=$(awk -v t="$t" '
		    /^[0-9]+\/[0-9]+ Test: / { cur = $3 }
		    cur == t && /SKIP/ { sub(/^.*SKIP(PED)?:? */, ""); print; exit }' \
		    Testing/Temporary/LastTest.log 2>/dev/null)
		echo "  $t: ${why:-no reason given}"
	done
fi
echo
echo "tests: $((total - failed - nskip)) passed, $failed failed, $nskip skipped"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
