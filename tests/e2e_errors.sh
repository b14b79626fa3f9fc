#!/usr/bin/env bash
# e2e_errors.sh CAPIO — every documented error path of every subcommand:
# bad, missing and out-of-range values, unknown options, options that
# conflict or do not apply, impossible IP addresses, output files that
# cannot be written, unknown help topics. Each must exit with its
# documented status (2: a bad argument, with one "capio CMD: " line and
# the usage line; 1: the run could not happen, with a "capio CMD: " line
# saying why), and
# never crash: an exit status of 128 or more, or any sanitizer report,
# fails. Against a sanitizer build leak detection is on, so the early
# returns are checked for leaks too.
set -u
capio=$1
fail=0
n=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capio-e2e.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# GCC links the sanitizer runtime, clang builds it in: both name this.
if grep -aq __asan_init "$capio"; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
	echo "e2e_errors: sanitizer build: leak detection on"
fi
# "capio: " from capio itself, "capio CMD: " or "capio CMD SUB: " after.
errline='^capio( [a-z]+){0,2}: .'
nodir=$tmp/no/such/dir		# a file there cannot be created
isdir=$tmp			# nor can a directory be opened for writing

# run STATUS ARGS...: capio ARGS, no input; checks common to every case.
run() {
	local want=$1; shift
	n=$((n + 1))
	# A refused option that slipped through could serve forever.
	timeout -k 5 "${E2E_TIMEOUT:-120}" "$capio" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if ((rc == 124)); then
		echo "FAILED: capio $*: still running after ${E2E_TIMEOUT:-120} s"; fail=1; return 1
	fi
	if ((rc >= 128)); then
		echo "FAILED: capio $*: crashed (exit $rc)"; sed 's/^/  /' "$tmp/err"; fail=1; return 1
	fi
	if grep -Eq 'Sanitizer|runtime error:' "$tmp/err"; then
		echo "FAILED: capio $*: sanitizer report"; sed 's/^/  /' "$tmp/err"; fail=1; return 1
	fi
	if ((rc != want)); then
		echo "FAILED: capio $*: exit $rc, want $want"; sed 's/^/  /' "$tmp/err"; fail=1; return 1
	fi
	if ! head -1 "$tmp/err" | grep -Eq "$errline"; then
		echo "FAILED: capio $*: the first line is not 'capio CMD: ...'"; sed 's/^/  /' "$tmp/err"; fail=1; return 1
	fi
	return 0
}
# usage ARGS...: a bad argument: exit 2, the error line, the usage line.
usage() {
	run 2 "$@" || return
	if [ "$(wc -l <"$tmp/err")" -ne 2 ] || ! sed -n 2p "$tmp/err" | grep -q '^usage: capio'; then
		echo "FAILED: capio $*: want one 'capio: ' line and the usage line, got:"
		sed 's/^/  /' "$tmp/err"; fail=1
	fi
}
# says TEXT: the last case's error line contains TEXT.
says() {
	head -1 "$tmp/err" | grep -qF -- "$1" ||
	    { echo "FAILED: want '$1' in: $(head -1 "$tmp/err")"; fail=1; }
}
# runerr ARGS...: the run could not happen: exit 1 and a one-line reason.
runerr() {
	run 1 "$@" || return
	[ "$(grep -Ec "$errline" "$tmp/err")" -eq 1 ] ||
	    { echo "FAILED: capio $*: want one 'capio CMD: ' line, got:"; sed 's/^/  /' "$tmp/err"; fail=1; }
}

# --- capio itself ----------------------------------------------------------
run 2;                           says "missing command"
run 2 nosuchcommand;             says "unknown command 'nosuchcommand'"
run 2 --bogus;                   says "unknown command '--bogus'"
usage help nosuchtopic;          says "no help topic 'nosuchtopic'"
usage help run extra;            says "help takes one topic"
usage --version extra;           says "--version takes no arguments"
usage bench nosuchbench

# --- demo ------------------------------------------------------------------
usage demo --bogus;              says "unknown option '--bogus'"
usage demo extra;                says "unknown argument 'extra'"
usage demo --quiet=yes;          says "--quiet takes no value"
usage demo --ops;                says "--ops needs a value"
usage demo --ops=;               says "--ops needs a value"
usage demo --ops --quiet;        says "--ops needs a value"
usage demo --ops 0;              says "--ops must be 1..10000000"
usage demo --ops 10000001;       says "--ops must be 1..10000000"
usage demo --ops x;              says "--ops must be 1..10000000, not 'x'"
usage demo --ops -1
usage demo --ops 99999999999999999999999
usage demo --pcap;               says "--pcap needs a value"
usage demo --pcap=;              says "--pcap needs a value"
usage demo --machine --pcap f;   says "--pcap does not apply to --machine"
usage demo --machine --ops 5;    says "--ops does not apply to --machine"
usage demo --quiet --machine;    says "--quiet does not apply to --machine"
runerr demo --pcap "$nodir/x.pcap";  says "$nodir/x.pcap"
runerr demo --quiet --pcap "$isdir"

# --- run -------------------------------------------------------------------
usage run;                       says "missing APP"
usage run --ops 5;               says "missing APP"
usage run nosuchapp;             says "unknown application 'nosuchapp'"
usage run memcached --bogus;     says "unknown option '--bogus'"
usage run memcached extra;       says "unknown argument 'extra'"
usage run memcached --kernel-path=1; says "--kernel-path takes no value"
usage run memcached --ops;       says "--ops needs a value"
usage run memcached --ops 0;     says "--ops must be 1..100000000"
usage run memcached --ops 100000001; says "--ops must be 1..100000000"
usage run memcached --ops=x;     says "--ops must be 1..100000000, not 'x'"
usage run memcached --restart 3;  says "--restart needs --tap"
usage run memcached -c 0;        says "-c must be 1..65535, not '0'"
usage run memcached -c;          says "-c needs a value"
usage run memcached -m 1;        says "-m must be 2..4096"
usage run memcached -I 10;       says "-I must be 1k..1024m"
usage run memcached -I 2g;       says "-I must be 1k..1024m"
usage run memcached -m 2 -I 2m;  says "Cannot set item size limit higher than 1/2 of memory max."
usage run memcached -o idle=3;   says "-o takes idle_timeout=N"
usage run memcached -o idle_timeout=-1; says "-o takes idle_timeout=N"
usage run nbd;                   says "nbd serves real clients: it needs --tap"
usage run nbd --tap x --tenants 4; says "--tenants must be 1..3"
usage run nbd --tap x --size 3K; says "--size must be 4K..1T"
usage run nbd --tap x --size 2T; says "--size must be 4K..1T"
usage run nbd --tap x --size 5000; says "a multiple of 4 KiB"
usage run nbd --tap x --size 2G; says "a RAM disk (no --disk) is at most 1G"
usage run nbd --tap x --export "$(printf '%064d' 0)"; says "--export must be 1 to 63 bytes"
usage run nbd --tap x -c 5;      says "-c is an option of memcached"
usage run nbd --tap x --ops 5;   says "--ops does not apply to nbd"
usage run nbd --tap abcdefghijklmno --tenants 2; says "an interface name is 1 to 15 bytes"
usage run nbd --tap x --ip 10.255.255.2/24 --tenants 3; says "do not fit"
usage run memcached --disk x;    says "--disk is an option of nbd"
usage run udp-echo --tenants 2;  says "--tenants is an option of nbd"
usage run udp-echo -c 5;         says "-c is an option of memcached"
usage run udp-echo --port;       says "--port needs a value"
usage run udp-echo --port 0;     says "--port must be 1..65535"
usage run udp-echo --port 65536; says "--port must be 1..65535"
usage run udp-echo --port 0x;    says "--port must be 1..65535"
usage run memcached --seconds;   says "--seconds needs a value"
usage run memcached --seconds x --tap t0; says "--seconds must be 0..31536000"
usage run memcached --seconds 31536001 --tap t0; says "--seconds must be 0..31536000"
usage run memcached --pcap;      says "--pcap needs a value"
usage run memcached --pcap --kernel-path; says "--pcap needs a value"
usage run memcached --tap;       says "--tap needs a value"
usage run memcached --tap=;      says "--tap needs a value"
usage run memcached --tap abcdefghijklmnop; says "1 to 15 bytes"
usage run memcached --tap a/b;   says "1 to 15 bytes"
usage run memcached --tap 'a b'; says "1 to 15 bytes"
# Options that belong to one mode.
usage run memcached --seconds 5; says "--seconds needs --tap"
usage run memcached --host-ip 10.77.0.1/24; says "--host-ip needs --tap"
usage run memcached --tap t0 --ops 5; says "--ops does not apply to --tap"
usage run memcached --tap t0 --host-ip 10.78.0.1/24; says "not in --ip 10.77.0.2/24's subnet"
usage run memcached --tap t0 --host-ip 10.77.0.2/24; says "both 10.77.0.2/24"
usage run memcached --tap t0 --host-ip 10.77.0.255/24; says "broadcast address"
# Addresses: malformed, then impossible for a host with a peer.
usage run memcached --ip;        says "--ip needs a value"
for ip in 10.0.0.1 300.1.1.1/24 10.0.0.1/33 1.2.3/24 1.2.3.4.5/24 " 10.0.0.1/24" \
          10.0.0.1/+24 10.0.0.1/-1 10.0.0.1/24x a.b.c.d/24 1234.0.0.1/8 ""; do
	usage run memcached --ip "$ip"
done
usage run memcached --ip 10.0.0.1;            says "--ip must be a.b.c.d/LEN, not '10.0.0.1'"
usage run memcached --ip 255.255.255.255/32;  says "LEN must be 1..30"
usage run memcached --ip 10.0.0.1/31;         says "LEN must be 1..30"
usage run memcached --ip 10.0.0.1/0;          says "LEN must be 1..30"
usage run memcached --ip 127.0.0.1/8;         says "loopback"
usage run udp-echo --ip 0.1.2.3/8;            says "this network"
usage run memcached --ip 224.0.0.1/24;        says "not a unicast address"
usage run memcached --ip 240.0.0.1/8;         says "not a unicast address"
usage run memcached --ip 10.0.0.0/24;         says "network address"
usage run udp-echo --ip 10.0.0.255/24;        says "broadcast address"
usage run udp-echo --ip 10.0.0.3/30;          says "broadcast address"
# The machine cannot start: the pcap file cannot be written.
runerr run memcached --ops 10 --pcap "$nodir/x.pcap"; says "$nodir/x.pcap"
runerr run udp-echo --kernel-path --ops 10 --pcap "$isdir"

# --- cap -------------------------------------------------------------------
usage cap;                       says "missing operation"
usage cap --batch;               says "missing operation"
usage cap frob;                  says "unknown operation 'frob'"
usage cap decode;                says "needs PESBT CURSOR"
usage cap decode 1;              says "needs PESBT CURSOR"
usage cap decode 0 0 0;          says "needs PESBT CURSOR"
usage cap decode zz 0;           says "bad 64-bit hex value"
usage cap decode 0 0x10000000000000000; says "bad 64-bit hex value"
usage cap decode 0 0 --bogus;    says "unknown option '--bogus'"
usage cap decode 0 0 --untagged=1; says "--untagged takes no value"
usage cap decode 0 0 --exact;    says "--exact applies to setbounds only"
usage cap setbounds 0 0;         says "needs PESBT CURSOR LENGTH"
usage cap setbounds 0 0 0x20000000000000000; says "LENGTH is at most"
usage cap setbounds 0 0 4 --untagged; says "--untagged applies to decode only"
usage cap root extra;            says "takes no arguments"
usage cap root --exact;          says "--exact applies to setbounds only"
usage cap replen;                says "needs LENGTH"
usage cap replen 0x10000000000000000; says "bad 64-bit hex length"
usage cap replen 4 --untagged;   says "--untagged applies to decode only"
usage cap replen --batch --exact; says "--exact applies to setbounds only"
usage cap decode --batch 0 0;    says "--batch reads its inputs from stdin"
usage cap decode 1 2 3 4 5 6 7 8 9; says "too many arguments"
# --batch: a bad line is answered {"error":...}, said on stderr, exit 1.
n=$((n + 1))
printf '0 0\nzz 0\n0 0 --exact\n' | "$capio" cap decode --batch >"$tmp/out" 2>"$tmp/err"; rc=$?
if ((rc != 1)) || [ "$(grep -c '^{"error":"line [23]: ' "$tmp/out")" -ne 2 ] ||
    [ "$(grep -c '^capio cap decode: line [23]: ' "$tmp/err")" -ne 2 ] ||
    grep -Eq 'Sanitizer|runtime error:' "$tmp/err"; then
	echo "FAILED: cap decode --batch with bad lines: exit $rc"; cat "$tmp/out" "$tmp/err"; fail=1
fi

# --- inspect ---------------------------------------------------------------
usage inspect;                   says "missing DEVICE"
usage inspect --json;            says "missing DEVICE"
usage inspect nosuchdev;         says "unknown device 'nosuchdev'"
usage inspect e1000e e1000e;     says "one device at a time"
usage inspect e1000e --bogus;    says "unknown option '--bogus'"
usage inspect e1000e --json=yes; says "--json takes no value"
usage inspect e1000e --exposure; says "--exposure needs a value"
usage inspect e1000e --exposure=; says "--exposure needs a value"
usage inspect e1000e --exposure TDBAL; says "no register slice 'TDBAL'"
usage inspect e1000e --exposure TDT,,RDT; says "--exposure wants 1 to"
usage inspect e1000e --exposure TDT,
usage inspect e1000e --exposure TDT,TDT
usage inspect e1000e --exposure TDT --pages; says "--pages needs a value"
usage inspect e1000e --exposure TDT --pages 3K
usage inspect e1000e --exposure TDT --pages 0
usage inspect e1000e --exposure TDT --pages 4X; says "bad page size '4X'"
usage inspect e1000e --exposure TDT --pages 4K,,8K; says "--pages wants 1 to"
usage inspect e1000e --exposure TDT --pages 99999999999999999999K; says "bad page size"
usage inspect e1000e --exposure TDT --svg; says "--svg needs a value"
usage inspect e1000e --svg x.svg; says "--svg needs --exposure"
usage inspect e1000e --pages 4K; says "--pages needs --exposure"
runerr inspect e1000e --exposure TDT --svg "$nodir/x.svg"; says "$nodir/x.svg"
runerr inspect e1000e --exposure TDT,RDT --json --svg "$isdir"

# --- qtest -----------------------------------------------------------------
usage qtest --bogus;             says "unknown option '--bogus'"
usage qtest extra;               says "unknown argument 'extra'"
usage qtest --nic;               says "--nic needs a value"
usage qtest --nic=;              says "--nic needs a value"
usage qtest --nic mac=52:54:00:12:34; says "bad MAC address"
usage qtest --nic mac=52:54:00:12:34:zz; says "bad MAC address"
usage qtest --nic mac=52:54:00:12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de; says "bad MAC address"
usage qtest --nic speed=10;      says "unknown key"
usage qtest --nic mac=52:54:00:12:34:56,; says "trailing comma"
usage qtest --nic wire=;         says "empty wire="
usage qtest --nic wire=foo;      says "unknown wire 'foo'"
usage qtest --nic wire=pair;     says "needs the next NIC on wire=pair"
usage qtest --nic wire=pair --nic wire=pair --nic wire=pair; says "NIC 2 needs the next NIC"
nine=(); for i in 1 2 3 4 5 6 7 8 9; do nine+=(--nic mac=52:54:00:12:34:0$i); done
usage qtest "${nine[@]}";        says "at most 8 NICs"
usage qtest --ram;               says "--ram needs a value"
usage qtest --ram 1;             says "--ram must be 2..2048"
usage qtest --ram 2049;          says "--ram must be 2..2048"
usage qtest --ram 12x;           says "--ram must be 2..2048, not '12x'"
usage qtest --socket;            says "--socket needs a value"
usage qtest --socket=;           says "--socket needs a value"
usage qtest --socket "/tmp/$(printf 'x%.0s' {1..120})"; says "--socket: a path of at most"
# The machine cannot be built, or the socket cannot be made.
runerr qtest --nic wire=udp:127.0.0.1:1
runerr qtest --nic wire=tap:a/b
runerr qtest --socket "$nodir/qtest.sock"; says "$nodir/qtest.sock"

# --- attack ----------------------------------------------------------------
usage attack --bogus;            says "unknown option '--bogus'"
usage attack --list=yes;         says "--list takes no value"
usage attack extra;              says "unknown argument 'extra'"
usage attack --arm;              says "--arm needs a value"
usage attack --arm=;             says "--arm needs a value"
usage attack --arm sideways;     says "unknown arm 'sideways'"
usage attack --only;             says "--only needs a value"
usage attack --only 99z;         says "no attack '99z'"
usage attack --only 1a,;         says "no attack ''"
usage attack --only ,1a;         says "no attack ''"
usage attack --iommu;            says "--iommu needs a value"
usage attack --iommu maybe;      says "--iommu takes on or off, not 'maybe'"
usage attack --pcap;             says "--pcap needs a value"
usage attack --pcap --json;      says "--pcap needs a value"
usage attack --only 1a --pcap x.pcap; says "--pcap records attack 11d, which --only leaves out"
usage attack --list --arm capio; says "--arm does not apply to --list"
usage attack --list --only 1a;   says "--only does not apply to --list"
usage attack --list --pcap x.pcap; says "--pcap does not apply to --list"
usage attack --iommu off --list; says "--iommu does not apply to --list"
[ ! -e x.pcap ] || { echo "FAILED: a refused --pcap wrote x.pcap"; fail=1; rm -f x.pcap; }
runerr attack --only 11d --pcap "$nodir/leak.pcap"; says "$nodir/leak"
runerr attack --only 11d --arm capio --pcap "$isdir"

[ $fail -eq 0 ] || exit 1
echo "e2e_errors: all $n error paths behaved"
