#!/usr/bin/env bash
# e2e_inspect.sh — `capio inspect`: the e1000e manifest, for people and as JSON.
set -u
capio=$1
fail=0
json=$("$capio" inspect e1000e --json) || { echo "FAILED: inspect --json exit"; fail=1; }
[[ $(printf '%s\n' "$json" | wc -l) == 1 ]] || { echo "FAILED: JSON not one line"; fail=1; }
for frag in '"device":"e1000e"' '{"name":"bar0","kind":"mmio","size":131072,' \
    '{"name":"TDT","offset":"0x3818","length":4,"access":"rw"}' \
    '{"name":"RDT","offset":"0x2818","length":4,"access":"rw"}' \
    '{"name":"TDH","offset":"0x3810","length":4,"access":"ro"}' \
    '{"name":"RDH","offset":"0x2810","length":4,"access":"ro"}' \
    '{"name":"STATUS","offset":"0x8","length":4,"access":"ro"}' \
    '{"name":"tx_ring","kind":"dma","size":8192,"slices":[]}' \
    '{"name":"tx_buffers","kind":"dma","size":1048576,"slices":[]}'; do
  [[ $json == *"$frag"* ]] || { echo "FAILED: JSON lacks $frag"; fail=1; }
done
# Nothing privileged is ever a slice.
for reg in TDBAL TDLEN RDBAL CTRL ICR RCTL TCTL EERD MDIC RAL; do
  [[ $json == *"\"name\":\"$reg\""* ]] && { echo "FAILED: $reg is granted"; fail=1; }
done
skipped=""
if command -v jq >/dev/null; then
  printf '%s' "$json" | jq -e . >/dev/null || { echo "FAILED: invalid JSON"; fail=1; }
else
  skipped="jq is missing (sh make.sh test installs it): the JSON was not parsed"
fi
"$capio" inspect e1000e | grep -q 'TDT .*read-write' || { echo "FAILED: text form"; fail=1; }
"$capio" inspect nosuchdev >/dev/null 2>&1; [[ $? == 2 ]] || { echo "FAILED: unknown device should exit 2"; fail=1; }
"$capio" inspect >/dev/null 2>&1; [[ $? == 2 ]] || { echo "FAILED: missing device should exit 2"; fail=1; }
[[ $fail == 0 ]] || exit 1
[[ -z $skipped ]] || { echo "SKIPPED: $skipped"; exit 77; }
echo "e2e_inspect: all passed"
