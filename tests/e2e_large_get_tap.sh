#!/usr/bin/env bash
# e2e_large_get_tap.sh — bench/large_get.sh end to end, briefly: two
# rounds of one second each, capio run memcached against the real
# memcached; it must finish, check every reply (getrate fails on a wrong
# byte), and write its CSV and JSON with a line per run. No figure is
# judged here (figures belong to the benchmark). Its refusals of bad
# arguments are checked first. Skips (77) without root, /dev/net/tun,
# network namespaces or memcached.
set -u
capio=$(readlink -f "$1")
build=$PWD
src=${CAPIO_SRC:?}
lg=$src/bench/large_get.sh
fail=0
for bad in "--rounds 0" "--size x" "--seconds" "--bogus"; do
  # shellcheck disable=SC2086
  if out=$(bash "$lg" $bad 2>&1); then
    echo "FAILED: large_get.sh $bad was accepted"; fail=1
  elif ! grep -q "large_get.sh: " <<< "$out"; then
    echo "FAILED: large_get.sh $bad: no clear message: $out"; fail=1
  fi
done
[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "SKIPPED: needs root and /dev/net/tun"; exit 77; }
[[ -x /usr/bin/memcached ]] || { echo "SKIPPED: memcached not installed"; exit 77; }
# A namespace of our own only to learn that namespaces work here (the
# script makes its own); its work directory takes the results.
. "$(dirname "$0")/netns.sh"
netns_open capio-lgprobe-$$
out=$work
if ! bash "$lg" --capio "$capio" --getrate "$build/getrate" --rounds 2 \
    --seconds 1 --out "$out" > "$out/log" 2>&1; then
  echo "FAILED: large_get.sh"; cat "$out/log"; fail=1
else
  cat "$out/log"
  [[ $(wc -l < "$out/large_get.csv") == 5 ]] || { echo "FAILED: CSV lines"; cat "$out/large_get.csv"; fail=1; }
  for k in '"capio"' '"memcached"' '"ratio"' '"median"' '"runs"'; do
    grep -q "$k" "$out/large_get.json" || { echo "FAILED: JSON lacks $k"; fail=1; }
  done
fi
[[ $fail == 0 ]] && echo "e2e_large_get_tap: all passed"
exit $fail
