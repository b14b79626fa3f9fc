#!/usr/bin/env bash
# e2e_qtest.sh — the differential suite for `capio qtest` (docs/qtest.md):
# every tests/qtest/*.qtest scenario runs against QEMU's e1000e and against
# capio's, command by command, and every reply must be equal except on the
# lines a scenario marks as a deviation listed in docs/conformance.md.
#
# A scenario drives one machine (A) or two (A and B) whose NICs share a UDP
# cable, or one machine with an NVMe controller on a disk image. One-
# machine scenarios run as qemu (the reference) and capio; two-machine ones
# as qemu+qemu (the reference), capio+capio, qemu+capio and capio+qemu, so
# frames also cross between the two implementations.
#
# usage: e2e_qtest.sh /path/to/capio [SCENARIO...]
# Environment: QEMU (default qemu-system-x86_64), QTEST_VERBOSE=1 prints
# every transcript line, QTEST_SET=nvme runs the NVMe scenarios
# (tests/qtest/nvme-*.qtest) and the --nvme command-line checks instead
# of the e1000e ones. Exit 77 (skip) when QEMU is not installed, after
# running the capio side alone.
set -u

capio=${1:?usage: e2e_qtest.sh /path/to/capio [SCENARIO...]}
shift
src=${CAPIO_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
sdir=$src/tests/qtest
conformance=$src/docs/conformance.md
qemu=${QEMU:-qemu-system-x86_64}
verbose=${QTEST_VERBOSE:-0}
set_name=${QTEST_SET:-nic}
[[ $set_name == nic || $set_name == nvme ]] ||
    { echo "e2e_qtest: QTEST_SET must be nic or nvme" >&2; exit 1; }
timeout_s=10		# per reply
wait_tries=500		# #! wait: polls, 10 ms apart

tmp=$(mktemp -d /tmp/capio-qtest.XXXXXX)
declare -A pid=() wfd=() rfd=() kind_of=()

cleanup() {
	local m
	for m in "${!pid[@]}"; do
		kill "${pid[$m]}" 2>/dev/null
		wait "${pid[$m]}" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

die() { echo "e2e_qtest: $*" >&2; exit 1; }

[ -x "$capio" ] || die "no capio at $capio"
have_qemu=1
command -v "$qemu" >/dev/null 2>&1 || have_qemu=0

# ---- the command line ----------------------------------------------------

cli_bad=0
cli_ok=0
cli_check() {	# cli_check WHAT STATUS-WANTED ARGS...
	local what=$1 want=$2 rc
	shift 2
	"$capio" qtest "$@" </dev/null >"$tmp/cli.out" 2>"$tmp/cli.err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL cli: $what: exit $rc, want $want"; cli_bad=1
	fi
	if [ "$want" = 2 ] && ! { [ "$(wc -l <"$tmp/cli.err")" = 2 ] &&
	    head -1 "$tmp/cli.err" | grep -q '^capio qtest: ' &&
	    tail -1 "$tmp/cli.err" | grep -q '^usage: capio qtest'; }; then
		echo "FAIL cli: $what: want 'capio qtest: ...' and 'usage: ...'," \
		    "got: $(cat "$tmp/cli.err")"; cli_bad=1
	fi
}
cli_nic() {
cli_check "--help" 0 --help
grep -q '^usage: capio qtest' "$tmp/cli.out" ||
    { echo "FAIL cli: --help prints no usage"; cli_bad=1; }
cli_check "unknown option" 2 --bogus
cli_check "--nic without value" 2 --nic
cli_check "bad MAC" 2 --nic mac=52:54:00:12:34
cli_check "bad key" 2 --nic speed=10
cli_check "empty wire" 2 --nic wire=
cli_check "--ram 1" 2 --ram 1
cli_check "--ram junk" 2 --ram 12x
cli_check "--socket without path" 2 --socket
cli_check "bad wire" 1 --nic wire=udp:127.0.0.1:1
cli_check "lonely pair" 2 --nic wire=pair
cli_check "empty input" 0
# Two NICs back to back in one machine, and a session over a UNIX socket.
printf 'outl 0xcf8 0x80001000\ninl 0xcfc\noutl 0xcf8 0x80001800\ninl 0xcfc\n' |
    "$capio" qtest --nic wire=pair --nic wire=pair >"$tmp/pair.out" 2>&1
[ "$(tr '\n' ' ' <"$tmp/pair.out")" = "OK OK 0x10d38086 OK OK 0xffffffff " ] ||
    { echo "FAIL cli: two NICs: $(cat "$tmp/pair.out")"; cli_bad=1; }
"$capio" qtest --socket "$tmp/qt.sock" 2>"$tmp/sock.err" &
sock_pid=$!
for _ in $(seq 100); do [ -S "$tmp/qt.sock" ] && break; sleep 0.02; done
sock_out=$(perl -MIO::Socket::UNIX -e '
	my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!";
	print $s "endianness\noutl 0xcf8 0x80000800\ninl 0xcfc\n";
	for (1 .. 3) { my $l = <$s>; print $l; }' "$tmp/qt.sock" 2>&1)
wait "$sock_pid"
[ "$(echo "$sock_out" | tr '\n' ' ')" = "OK little OK OK 0x10d38086 " ] ||
    { echo "FAIL cli: --socket: $sock_out $(cat "$tmp/sock.err")"; cli_bad=1; }
[ ! -e "$tmp/qt.sock" ] || { echo "FAIL cli: socket file left behind"; cli_bad=1; }
((cli_bad == 0)) && echo "ok   command line (options, wire=pair, --socket)"
}

cli_nvme() {
	local out
	cli_check "--nvme without value" 2 --nvme
	cli_check "--nvme bad key" 2 --nvme queues=4
	cli_check "--nvme empty serial" 2 --nvme serial=
	cli_check "--nvme long serial" 2 --nvme serial=123456789012345678901
	cli_check "--nvme size 0" 2 --nvme size=0
	cli_check "--nvme size junk" 2 --nvme size=1x
	cli_check "--nvme size too big" 2 --nvme size=1025
	cli_check "--nvme empty disk" 2 --nvme disk=
	cli_check "--nvme trailing comma" 2 --nvme serial=a,
	cli_check "five controllers" 2 --nvme size=1 --nvme size=1 \
	    --nvme size=1 --nvme size=1 --nvme size=1
	cli_check "--nvme missing disk" 1 --nvme disk="$tmp/no-such.img"
	: >"$tmp/empty.img"
	cli_check "--nvme disk under a block" 1 --nvme disk="$tmp/empty.img"
	cli_check "--nvme disk a directory" 1 --nvme disk="$tmp"
	# Without --nic an NVMe controller is alone: slot 1, nothing in 2.
	out=$(printf 'outl 0xcf8 0x80000800\ninl 0xcfc\noutl 0xcf8 0x80001000\ninl 0xcfc\n' |
	    "$capio" qtest --nvme size=1 2>&1 | tr '\n' ' ')
	[ "$out" = "OK OK 0x101b36 OK OK 0xffffffff " ] ||
	    { echo "FAIL cli: --nvme alone: $out"; cli_bad=1; }
	# After the NICs: slot 2 beside a NIC, with a disk whose name has a
	# comma.
	head -c 4096 /dev/zero >"$tmp/a,b.img"
	out=$(printf 'outl 0xcf8 0x80001000\ninl 0xcfc\noutl 0xcf8 0x80001008\ninl 0xcfc\n' |
	    "$capio" qtest --nic mac=52:54:00:12:34:56 \
	    --nvme serial=x,disk="$tmp/a,b.img" 2>&1 | tr '\n' ' ')
	[ "$out" = "OK OK 0x101b36 OK OK 0x1080202 " ] ||
	    { echo "FAIL cli: --nic then --nvme: $out"; cli_bad=1; }
	((cli_bad == 0)) && echo "ok   command line (--nvme)"
}

if [ "$set_name" = nvme ]; then
	cli_nvme
else
	cli_nic
fi

# QEMU needs no firmware here, only a reset vector that idles the CPU:
# a 64 KiB image whose last 16 bytes start with cli; hlt; jmp back.
head -c 65536 /dev/zero >"$tmp/HALT"
printf '\xfa\xf4\xeb\xfd' | dd of="$tmp/HALT" bs=1 seek=$((0xfff0)) \
    conv=notrunc status=none

# ---- scenario parsing -----------------------------------------------------

declare -A vars=()
# Steps of the current scenario, by index.
st_kind=() st_mach=() st_text=() st_dev=() st_where=() st_mask=() st_want=()
st_cmask=()
mach_names=()
declare -A mach_mac=() mach_kind=() mach_serial=() mach_disk=()

# Evaluate {EXPR}: numbers, names set by "#! set", + - * / % & | ^ ~ << >>.
eval_expr() {
	local e=$1 out="" tok
	while [[ -n $e ]]; do
		if [[ $e =~ ^[[:space:]]+(.*)$ ]]; then
			e=${BASH_REMATCH[1]}
		elif [[ $e =~ ^(0[xX][0-9a-fA-F]+|[0-9]+)(.*)$ ]]; then
			out+=${BASH_REMATCH[1]}; e=${BASH_REMATCH[2]}
		elif [[ $e =~ ^([A-Za-z_][A-Za-z0-9_]*)(.*)$ ]]; then
			tok=${BASH_REMATCH[1]}; e=${BASH_REMATCH[2]}
			[[ -v vars[$tok] ]] || return 1
			out+="(${vars[$tok]})"
		elif [[ $e =~ ^([-+*/%\&|^~\(\)]|<<|>>)(.*)$ ]]; then
			out+=${BASH_REMATCH[1]}; e=${BASH_REMATCH[2]}
		else
			return 1
		fi
	done
	printf '0x%x' $((out))
}

# Replace every {EXPR} in $1 by its value in hex (0x...), every {EXPR:W}
# by exactly W hex digits without 0x (for byte strings); result in
# $expanded.
expand() {
	local s=$1 v e w pre
	expanded=""
	while [[ $s =~ ^([^{]*)\{([^}]*)\}(.*)$ ]]; do
		pre=${BASH_REMATCH[1]} e=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
		w=""
		if [[ $e =~ ^(.*):([0-9]+)$ ]]; then
			e=${BASH_REMATCH[1]} w=${BASH_REMATCH[2]}
		fi
		v=$(eval_expr "$e") || return 1
		if [ -n "$w" ]; then
			v=$(printf '%0*x' "$w" "$v")
			((${#v} == w)) || return 1
		fi
		expanded+="$pre$v"
	done
	expanded+=$s
}

# parse FILE PREFIX: append FILE's steps; PREFIX ("", "A" or "B") is the
# machine lines without their own "M:" go to. A deviation or mask waits
# for the next command (with "@LABEL", the next command whose line ends
# in "#@LABEL"), across included files.
depth=0 dev="" dev_label="" dev_mask=""
parse() {
	local file=$1 prefix=$2 from=${3:-} line n=0 m text where label
	[ -r "$file" ] || die "cannot read $file"
	depth=$((depth + 1))
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		where="$from${file#"$sdir"/}:$n"
		line=${line%$'\r'}
		[[ $line =~ ^[[:space:]]*$ ]] && continue
		if [[ $line =~ ^#!\ *([a-z]+)\ *(.*)$ ]]; then
			local d=${BASH_REMATCH[1]} arg=${BASH_REMATCH[2]}
			case $d in
			machine)
				if [[ $arg =~ ^([AB])\ +mac=([0-9a-f:]{17})$ ]]; then
					mach_kind[${BASH_REMATCH[1]}]=nic
					mach_mac[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
				elif [[ $arg =~ ^([AB])\ +nvme\ +serial=([A-Za-z0-9-]{1,20})\ +disk=([0-9]+)$ ]]; then
					mach_kind[${BASH_REMATCH[1]}]=nvme
					mach_serial[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
					mach_disk[${BASH_REMATCH[1]}]=${BASH_REMATCH[3]}
					((BASH_REMATCH[3] % 512 == 0 &&
					    BASH_REMATCH[3] > 0)) ||
					    die "$where: disk= wants whole 512-byte blocks"
				else
					die "$where: #! machine A|B mac=xx:..:xx, or" \
					    "#! machine A nvme serial=S disk=BYTES"
				fi
				mach_names+=("${BASH_REMATCH[1]}")
				;;
			set)
				[[ $arg =~ ^([A-Z][A-Z0-9_]*)\ +(.+)$ ]] ||
				    die "$where: #! set NAME EXPR"
				vars[${BASH_REMATCH[1]}]=$(eval_expr \
				    "${BASH_REMATCH[2]}") ||
				    die "$where: bad expression"
				;;
			include)
				[[ $arg =~ ^([^ ]+)\ *([AB]?)$ ]] ||
				    die "$where: #! include FILE [A|B]"
				parse "$sdir/${BASH_REMATCH[1]}" \
				    "${BASH_REMATCH[2]:-$prefix}" "$where > "
				;;
			deviation|mask)
				if [ "$d" = deviation ]; then
					[[ $arg =~ ^([a-z0-9-]+)()(\ +@([a-z0-9-]+))?$ ]] ||
					    die "$where: #! deviation NAME [@LABEL]"
				else
					[[ $arg =~ ^([a-z0-9-]+)\ +([^@ ]+)(\ +@([a-z0-9-]+))?$ ]] ||
					    die "$where: #! mask NAME MASK [@LABEL]"
				fi
				[ -z "$dev" ] || die "$where: the $d before" \
				    "('$dev') applies to nothing yet"
				dev=${BASH_REMATCH[1]} dev_label=${BASH_REMATCH[4]}
				dev_mask=""
				if [ "$d" = mask ]; then
					dev_mask=$(eval_expr "${BASH_REMATCH[2]}") ||
					    die "$where: bad mask"
				fi
				grep -q "^### $dev\$" "$conformance" ||
				    die "$where: $d '$dev' is not a" \
				    "'### $dev' entry in docs/conformance.md"
				;;
			sleep)
				# sleep MS: time passes on every machine
				[[ $arg =~ ^[0-9]+$ ]] ||
				    die "$where: #! sleep MILLISECONDS"
				st_kind+=(sleep); st_mach+=("${prefix:-A}")
				st_text+=("$arg"); st_dev+=("$dev")
				st_where+=("$where"); st_mask+=(""); st_want+=("")
				dev=""
				;;
			wait)
				# wait [M:] readX ADDR [& MASK] == VALUE
				[[ $arg =~ ^(([AB]):\ *)?(read[bwlq])\ +([^&=]+[^&=\ ])\ *(\&\ *([^=]+[^=\ ]))?\ *==\ *(.+)$ ]] ||
				    die "$where: #! wait [M:] readX ADDR [& MASK] == VALUE"
				m=${BASH_REMATCH[2]:-${prefix:-A}}
				local wcmd="${BASH_REMATCH[3]} ${BASH_REMATCH[4]}"
				local wmask=${BASH_REMATCH[6]:-0xffffffffffffffff}
				local wval=${BASH_REMATCH[7]}
				expand "$wcmd" || die "$where: bad expression"
				st_kind+=(wait); st_mach+=("$m")
				st_text+=("$expanded"); st_where+=("$where")
				st_mask+=("$(eval_expr "$wmask")") ||
				    die "$where: bad mask"
				st_want+=("$(eval_expr "$wval")") ||
				    die "$where: bad value"
				st_dev+=(""); st_cmask+=("")
				if [ -n "$dev" ] && [ -z "$dev_label" ]; then
					st_dev[-1]=$dev st_cmask[-1]=$dev_mask
					dev=""
				fi
				;;
			*)	die "$where: unknown directive '$d'" ;;
			esac
			continue
		fi
		[[ $line =~ ^[[:space:]]*# ]] && continue
		label=""
		if [[ $line =~ ^(.*[^[:space:]])[[:space:]]+#@([a-z0-9-]+)$ ]]; then
			line=${BASH_REMATCH[1]} label=${BASH_REMATCH[2]}
		fi
		m=${prefix:-A}
		text=$line
		if [[ $line =~ ^([AB]):\ *(.*)$ ]]; then
			m=${BASH_REMATCH[1]}; text=${BASH_REMATCH[2]}
		fi
		expand "$text" || die "$where: bad expression in '$text'"
		st_kind+=(cmd); st_mach+=("$m"); st_text+=("$expanded")
		st_where+=("$where"); st_mask+=(""); st_want+=("")
		st_dev+=(""); st_cmask+=("")
		if [ -n "$dev" ] && { [ -z "$dev_label" ] ||
		    [ "$dev_label" = "$label" ]; }; then
			st_dev[-1]=$dev st_cmask[-1]=$dev_mask
			dev=""
		fi
	done <"$file"
	depth=$((depth - 1))
	((depth > 0)) || [ -z "$dev" ] ||
	    die "$file: #! deviation or mask '$dev' applies to nothing"
}

# ---- machines -------------------------------------------------------------

# make_disk FILE BYTES: a disk image whose 512-byte block i holds the
# dword 0xd15c0000 + i, 128 times: reads of blocks nobody wrote show
# that both controllers read the file.
make_disk() {
	perl -e 'print pack("V", 0xd15c0000 + $_) x 128 for 0 .. $ARGV[0] - 1' \
	    "$(($2 / 512))" >"$1"
}

# start M KIND LOCALPORT REMOTEPORT: machine M (its NIC's MAC or its NVMe
# controller from the scenario) as KIND, qemu or capio.
start() {
	local m=$1 kind=$2 lp=$3 rp=$4 w r img=$tmp/disk.$1.img dev=()
	rm -f "$tmp/in.$m" "$tmp/out.$m"
	mkfifo "$tmp/in.$m" "$tmp/out.$m"
	# The device on each side: QEMU's -device (and its backend), capio's
	# option.
	if [ "${mach_kind[$m]}" = nvme ]; then
		make_disk "$img" "${mach_disk[$m]}"
		if [ "$kind" = qemu ]; then
			dev=(-device "nvme,serial=${mach_serial[$m]},drive=d0"
			    -drive "if=none,id=d0,file=$img,format=raw")
		else
			dev=(--nvme "serial=${mach_serial[$m]},disk=$img")
		fi
	elif [ "$kind" = qemu ]; then
		dev=(-device "e1000e,netdev=n0,mac=${mach_mac[$m]},romfile="
		    -netdev "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=$lp,remote.type=inet,remote.host=127.0.0.1,remote.port=$rp")
	else
		dev=(--nic "mac=${mach_mac[$m]},wire=udp:127.0.0.1:$lp,127.0.0.1:$rp")
	fi
	if [ "$kind" = qemu ]; then
		"$qemu" -M q35 -accel tcg -bios "$tmp/HALT" -nodefaults \
		    -display none -qtest stdio -qtest-log none "${dev[@]}" \
		    <"$tmp/in.$m" >"$tmp/out.$m" 2>"$tmp/err.$m" &
	else
		"$capio" qtest "${dev[@]}" \
		    <"$tmp/in.$m" >"$tmp/out.$m" 2>"$tmp/err.$m" &
	fi
	pid[$m]=$!
	kind_of[$m]=$kind
	exec {w}>"$tmp/in.$m"
	exec {r}<"$tmp/out.$m"
	wfd[$m]=$w
	rfd[$m]=$r
}

stop_all() {
	local m
	for m in "${!pid[@]}"; do
		exec {wfd[$m]}>&- {rfd[$m]}<&-
		kill "${pid[$m]}" 2>/dev/null
		wait "${pid[$m]}" 2>/dev/null
	done
	pid=() wfd=() rfd=() kind_of=()
}

# pass_time MS [flush]: let MS milliseconds go by on every machine: QEMU's
# clock runs in real time, capio's only when told (clock_step). With
# "flush", a QEMU machine then answers one command, so that the IRQ
# lines of the interval are collected now.
pass_time() {
	local ms=$1 m real=0
	for m in "${!pid[@]}"; do
		if [ "${kind_of[$m]}" = capio ]; then
			send "$m" "clock_step $((ms * 1000000))" || return 1
		else
			real=1
		fi
	done
	((real == 0)) && return 0
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	[ "${2-}" = flush ] || return 0
	for m in "${!pid[@]}"; do
		[ "${kind_of[$m]}" = capio ] || send "$m" endianness || return 1
	done
}

# send M TEXT: one command; its reply in $reply, IRQ lines seen before it
# appended to $irqs. Pins below 16 (QEMU's PIT and other ISA devices,
# which the capio machine has not) are not compared.
send() {
	local m=$1 line
	printf '%s\n' "$2" >&"${wfd[$m]}" || return 1
	while :; do
		IFS= read -r -t "$timeout_s" line <&"${rfd[$m]}" || return 1
		if [[ $line =~ ^IRQ\ (raise|lower)\ ([0-9]+)$ ]]; then
			((BASH_REMATCH[2] < 16)) && continue
			irqs+="$m:$line|"
			continue
		fi
		reply=$line
		return 0
	done
}

# run CONFIG: run the parsed steps with machines of the kinds CONFIG names
# ("qemu", "capio", "qemu+capio", ...); the records go to $tmp/CONFIG.rec,
# one line per step, then one per machine for the IRQ lines no step took
# and, for an NVMe machine, the digest of its disk image once it stopped.
#
# An NVMe controller posts completions (and raises its interrupt) when
# QEMU's event loop gets to it, capio's before the doorbell write returns:
# a machine with one holds its IRQ lines until the next wait, so the
# lines between two waits are compared, not which reply they came with.
run() {
	local config=$1 kinds i m v tries ok=0
	declare -A held=()
	IFS=+ read -r -a kinds <<<"$config"
	port=$((port + 2))
	for i in "${!mach_names[@]}"; do
		m=${mach_names[$i]}
		start "$m" "${kinds[$i]}" $((port + i)) $((port + 1 - i))
	done
	: >"$tmp/$config.rec"
	for i in "${!st_kind[@]}"; do
		m=${st_mach[$i]}
		irqs=""
		[[ -v pid[$m] ]] || { echo "${st_where[$i]}: no machine $m" \
		    >"$tmp/$config.fail"; break; }
		if [ "${st_kind[$i]}" = sleep ]; then
			if ! pass_time "${st_text[$i]}" flush; then
				echo "${st_where[$i]}: $config: no reply to" \
				    "clock_step" >"$tmp/$config.fail"
				break
			fi
			printf '%ssleep ok\n' "$irqs" >>"$tmp/$config.rec"
			continue
		fi
		if [ "${st_kind[$i]}" = cmd ]; then
			if ! send "$m" "${st_text[$i]}"; then
				echo "${st_where[$i]}: $config: no reply to" \
				    "'${st_text[$i]}' ($(tail -c 300 \
				    "$tmp/err.$m" | tr '\n' ' '))" \
				    >"$tmp/$config.fail"
				break
			fi
			if [ "${mach_kind[$m]}" = nvme ]; then
				held[$m]+=$irqs
				irqs=""
			fi
			printf '%s%s\n' "$irqs" "$reply" >>"$tmp/$config.rec"
			continue
		fi
		for ((tries = 0; tries < wait_tries; tries++)); do
			send "$m" "${st_text[$i]}" || break
			v=${reply#OK }
			[[ $v =~ ^0x[0-9a-f]+$ ]] || break
			(((v & st_mask[i]) == st_want[i])) && { ok=1; break; }
			pass_time 10 || break
		done
		if ((ok == 0)); then
			echo "${st_where[$i]}: $config: wait '${st_text[$i]}'" \
			    "gave up at '$reply'" >"$tmp/$config.fail"
			break
		fi
		ok=0
		printf '%s%swait ok\n' "${held[$m]-}" "$irqs" >>"$tmp/$config.rec"
		held[$m]=""
	done
	for m in "${mach_names[@]}"; do
		[ "${mach_kind[$m]}" = nvme ] || continue
		printf 'end %s: %s\n' "$m" "${held[$m]-}" >>"$tmp/$config.rec"
	done
	stop_all
	for m in "${mach_names[@]}"; do
		[ "${mach_kind[$m]}" = nvme ] || continue
		printf 'disk %s: %s\n' "$m" "$(md5sum <"$tmp/disk.$m.img" |
		    cut -c1-32)" >>"$tmp/$config.rec"
	done
	[ ! -e "$tmp/$config.fail" ]
}

# ---- the suite ------------------------------------------------------------

# Loopback UDP ports for the wires: below the kernel's ephemeral range
# (32768 up), and apart from test_qtest's (10000-19999).
port=$((20000 + ($$ % 1000) * 12))
scenarios=("$@")
if ((${#scenarios[@]} == 0)); then
	for f in "$sdir"/*.qtest; do
		f=$(basename "$f" .qtest)
		# The two sets: nvme-* and the rest (the e1000e's).
		[[ $f == nvme-* ]] && [ "$set_name" = nic ] && continue
		[[ $f == nvme-* ]] || [ "$set_name" = nic ] || continue
		scenarios+=("$f")
	done
fi

n_scen=0 n_replies=0 n_values=0 n_dev=0 n_devlines=0 n_bad=0 n_cross=0
n_retried=0 n_equal=0 n_vequal=0 n_masklines=0
declare -A dev_seen=() mask_seen=()
for s in "${scenarios[@]}"; do
	vars=() st_kind=() st_mach=() st_text=() st_dev=() st_where=()
	st_mask=() st_want=() st_cmask=() mach_names=() mach_mac=()
	mach_kind=() mach_serial=() mach_disk=()
	parse "$sdir/$s.qtest" ""
	((${#mach_names[@]} >= 1)) || die "$s: no '#! machine A ...'"
	n_scen=$((n_scen + 1))
	if ((${#mach_names[@]} == 1)); then
		ref=qemu others=(capio)
	else
		ref=qemu+qemu others=(capio+capio qemu+capio capio+qemu)
	fi
	if ((have_qemu == 0)); then
		# Without QEMU: the capio side must at least answer every
		# command and satisfy every wait.
		if ! run "${others[0]}"; then
			echo "FAIL $s: $(cat "$tmp/${others[0]}.fail")"
			n_bad=$((n_bad + 1))
		fi
		continue
	fi
	# QEMU runs in real time under TCG: under load an interrupt notice
	# can come a reply late. A scenario that differs is run again (both
	# sides) up to twice; the tally says how many needed it.
	for attempt in 1 2 3; do
	sc_replies=0 sc_values=0 sc_devlines=0 sc_cross=0 sc_dev=() out=()
	sc_equal=0 sc_vequal=0 sc_masklines=0 sc_mask=()
	bad=0
	if ! run "$ref"; then
		out+=("FAIL $s: reference run: $(cat "$tmp/$ref.fail")")
		bad=1
	else
	mapfile -t want <"$tmp/$ref.rec"
	for c in "${others[@]}"; do
		if ! run "$c"; then
			out+=("FAIL $s: $(cat "$tmp/$c.fail")")
			bad=$((bad + 1))
			continue
		fi
		mapfile -t got <"$tmp/$c.rec"
		[[ $c == *qemu* ]] && sc_cross=$((sc_cross + 1))
		for i in "${!want[@]}"; do
			w=${want[$i]} g=${got[$i]-}
			# Past the steps: the end-of-run records.
			text=${st_text[$i]-"(end of run)"}
			where=${st_where[$i]-"$s:end"}
			sc_replies=$((sc_replies + 1))
			isval=0
			[[ $w =~ (OK\ [0-9a-zA-Z/+=]|IRQ|wait|disk) ]] && isval=1
			sc_values=$((sc_values + isval))
			[ "$verbose" = 1 ] && printf '%s %-11s %-40s %s\n' \
			    "$s" "$c" "$text" "$g"
			if [ "$w" = "$g" ]; then
				sc_equal=$((sc_equal + 1))
				sc_vequal=$((sc_vequal + isval))
				continue
			fi
			# A configuration mask: equal in the bits it keeps (mask
			# 0: any reply, byte strings too).
			if [ -n "${st_cmask[$i]-}" ] && { ((st_cmask[i] == 0)) || {
			    [[ $w =~ ^OK\ (0x[0-9a-f]{1,16})$ ]] && wv=${BASH_REMATCH[1]} &&
			    [[ $g =~ ^OK\ (0x[0-9a-f]{1,16})$ ]] && gv=${BASH_REMATCH[1]} &&
			    (((wv & st_cmask[i]) == (gv & st_cmask[i]))); }; }; then
				sc_masklines=$((sc_masklines + 1))
				sc_mask+=("${st_dev[$i]}")
				[ "$verbose" = 1 ] && echo "  masked" \
				    "${st_dev[$i]}: $ref '$w', $c '$g'"
				continue
			fi
			if [ -n "${st_dev[$i]-}" ] && [ -z "${st_cmask[$i]-}" ]; then
				sc_devlines=$((sc_devlines + 1))
				sc_dev+=("${st_dev[$i]}")
				[ "$verbose" = 1 ] && echo "  deviation" \
				    "${st_dev[$i]}: $ref '$w', $c '$g'"
				continue
			fi
			out+=("FAIL $s $where: '$text': $ref '$w', $c '$g'")
			bad=$((bad + 1))
		done
	done
	# Every deviation a scenario marks must show: a marker whose
	# replies all came out equal guards nothing (capio agrees with QEMU
	# there now, so either the marker is stale or capio stopped
	# following the datasheet).
	if ((bad == 0)); then
		declare -A shown=()
		for d in "${sc_dev[@]}"; do shown[$d]=1; done
		for i in "${!st_dev[@]}"; do
			d=${st_dev[$i]}
			[ -n "$d" ] && [ -z "${st_cmask[$i]-}" ] &&
			    [ -z "${shown[$d]-}" ] || continue
			out+=("FAIL $s: deviation $d is marked but no reply differs: capio agrees with QEMU there")
			shown[$d]=1
			bad=$((bad + 1))
		done
		unset shown
	fi
	fi
	((bad == 0)) && break
	done
	((attempt > 1)) && n_retried=$((n_retried + 1))
	((${#out[@]})) && printf '%s\n' "${out[@]}"
	n_replies=$((n_replies + sc_replies))
	n_values=$((n_values + sc_values))
	n_devlines=$((n_devlines + sc_devlines))
	n_cross=$((n_cross + sc_cross))
	n_equal=$((n_equal + sc_equal))
	n_vequal=$((n_vequal + sc_vequal))
	n_masklines=$((n_masklines + sc_masklines))
	for d in "${sc_dev[@]}"; do dev_seen[$d]=1; done
	for d in "${sc_mask[@]}"; do mask_seen[$d]=1; done
	if ((bad == 0)); then
		echo "ok   $s (${#st_kind[@]} commands, ${others[*]} vs $ref)"
	else
		n_bad=$((n_bad + 1))
	fi
done

if ((have_qemu == 0)); then
	echo "SKIPPED: $qemu not found: ran the capio side of $n_scen" \
	    "scenarios alone, without the comparison with QEMU" \
	    "(sh make.sh test installs qemu-system-x86)"
	((n_bad == 0 && cli_bad == 0)) || exit 1
	exit 77
fi
n_dev=${#dev_seen[@]}
if [ "$set_name" = nvme ]; then
	echo "qtest: $n_scen NVMe scenarios, $n_replies replies compared" \
	    "($n_values carrying values, $n_vequal of them equal): $n_equal" \
	    "equal, $n_masklines equal under ${#mask_seen[@]} documented" \
	    "configuration masks, $n_devlines differing as $n_dev documented" \
	    "deviations; $n_bad scenarios failing ($n_retried run again after" \
	    "a timing difference)"
	echo "qtest: masks: $(printf '%s\n' "${!mask_seen[@]}" | sort | tr '\n' ' ')"
	echo "qtest: deviations: $(printf '%s\n' "${!dev_seen[@]}" | sort | tr '\n' ' ')"
else
	echo "qtest: $n_scen scenarios, $n_replies replies compared ($n_values" \
	    "carrying values), $n_cross runs with frames crossing between QEMU and" \
	    "capio, $n_devlines replies differing as $n_dev documented" \
	    "deviations, $n_bad scenarios failing ($n_retried run again after" \
	    "a timing difference)"
fi
((n_bad == 0 && cli_bad == 0))
