#!/usr/bin/env bash
# e2e_layers.sh CAPIO — the untrusted side stays on its side of the trust
# boundary: src/user/ includes only the ABI (abi/), capabilities (cap/),
# the instruction set (machine/cpu.h), the datasheet's header-only facts
# (dev/e1000e_regs.h, dev/e1000e_desc.h, dev/e1000e_ring.h,
# dev/nvme_regs.h, dev/nvme_entry.h: constants, layouts, inline ring
# arithmetic and entry packing,
# nothing to link), its own headers
# and lwIP's; and libcapio_user.a needs no symbol that the trusted
# libraries (kernel, board, dev, net, eval, qtest) define. CTest runs it from the build
# directory, where the libraries are.
set -u
src=${CAPIO_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
build=$(cd "$(dirname "${1:-./capio}")" && pwd)
fail=0

# (a) What src/user/ includes. A path whose first component is one of the
# tree's layers must be on the list; anything else (libc, lwIP) is not ours.
layers=" $(cd "$src/src" && echo */ | tr -d /) "
allowed() {
	case $1 in
	abi/*|cap/*|user/*|machine/cpu.h|dev/e1000e_regs.h|dev/e1000e_desc.h|dev/e1000e_ring.h|dev/nvme_regs.h|dev/nvme_entry.h)
		return 0 ;;
	esac
	return 1
}
for f in "$src"/src/user/*.[ch]; do
	while IFS=: read -r line inc; do
		top=${inc%%/*}
		[[ $inc == */* && $layers == *" $top "* ]] || continue
		allowed "$inc" && continue
		echo "FAILED: ${f#"$src"/}:$line includes $inc (the trusted side's)"
		fail=1
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][^">]+[">]' "$f" |
	    sed -E 's/^([0-9]+):.*include[[:space:]]*["<]([^">]+)[">].*/\1:\2/')
done

# (b) What libcapio_user.a leaves undefined, against what the trusted
# libraries define.
command -v nm >/dev/null || { echo "e2e_layers: SKIP: no nm"; exit 77; }
user=$build/libcapio_user.a
[[ -f $user ]] || { echo "FAILED: no $user"; exit 1; }
undef=$(nm -u "$user" 2>/dev/null | awk 'NF >= 2 && $(NF-1) == "U" {print $NF}' | sort -u)
[[ -n $undef ]] || { echo "FAILED: nm found no undefined symbol in $user"; exit 1; }
checked=0
for lib in kernel board dev net eval qtest; do
	a=$build/libcapio_$lib.a
	[[ -f $a ]] || continue	# a layer with headers only defines nothing
	checked=$((checked + 1))
	bad=$(nm -g --defined-only "$a" 2>/dev/null | awk 'NF == 3 {print $3}' |
	    sort -u | comm -12 - <(echo "$undef"))
	if [[ -n $bad ]]; then
		echo "FAILED: libcapio_user.a needs from libcapio_$lib.a:" $bad
		fail=1
	fi
done
[[ $checked -gt 0 ]] || { echo "FAILED: no trusted library in $build"; fail=1; }
[[ $fail == 0 ]] && echo "e2e_layers: ok (src/user includes; $(echo "$undef" | wc -l) undefined symbols of libcapio_user.a, none the trusted side's)"
exit $fail
