#!/usr/bin/env bash
# e2e_host_syscalls.sh CAPIO — the data path makes no system call at the
# host level either. strace counts every host system call of a whole run;
# a run with many more operations must make (almost) no more of them on
# the CAPIO path, and must make proportionally more on the kernel path
# (each simulated system call pays one real one), which shows the count
# would catch a per-operation system call. Exit 77 (skip) without strace
# or where ptrace is not allowed.
set -u
capio=$1
fail=0
command -v strace >/dev/null || { echo "e2e_host_syscalls: SKIP: no strace (apt-get install strace)"; exit 77; }
# Elsewhere contexts switch with ucontext, one rt_sigprocmask per switch
# (docs/machine.md): the count would grow with the work by design.
[ "$(uname -m)" = x86_64 ] || { echo "e2e_host_syscalls: SKIP: the syscall-free context switch is x86-64 only"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capio-e2e.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
strace -f -o /dev/null true 2>/dev/null || { echo "e2e_host_syscalls: SKIP: ptrace not allowed here"; exit 77; }

# Under AddressSanitizer its allocator maps memory as the heap grows and
# its quarantine turns over: leave memory management out of the count there.
filter=()
if grep -aq __asan_report "$capio"; then	# GCC links it, clang builds it in
	filter=(-e 'trace=!mmap,munmap,mprotect,madvise,brk,mremap')
	echo "e2e_host_syscalls: sanitizer build: memory management calls not counted"
fi

# calls ARGS...: the host system calls of `capio ARGS`, all threads.
calls() {
	# LeakSanitizer cannot run under ptrace; the other tests check leaks.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -c "${filter[@]}" -o "$tmp/c.txt" "$capio" "$@" >"$tmp/out.txt" 2>&1 ||
	    { echo "e2e_host_syscalls: capio $* failed" >&2; cat "$tmp/out.txt" >&2; echo -1; return; }
	# % time, seconds, usecs/call, calls, [errors,] "total"
	awk '$NF == "total" { print $4 }' "$tmp/c.txt"
}

# check WHAT FEW MANY MIN_PER_OP MAX_EXTRA ARGS...: run `capio ARGS --ops N`
# with FEW and MANY operations; the difference in host system calls must be
# at least MIN_PER_OP per extra operation, or at most MAX_EXTRA (either
# may be empty).
check() {
	local what=$1 few=$2 many=$3 min_per_op=$4 max_extra=$5; shift 5
	local a b
	a=$(calls "$@" --ops "$few"); b=$(calls "$@" --ops "$many")
	echo "$what: $a host system calls with $few operations, $b with $many"
	if ((a < 0 || b < 0)); then fail=1; return; fi
	if [ -n "$max_extra" ] && ((b - a > max_extra)); then
		echo "FAILED: $what: $((b - a)) more host system calls for $((many - few)) more operations"; fail=1
	fi
	if [ -n "$min_per_op" ] && ((b - a < min_per_op * (many - few))); then
		echo "FAILED: $what: only $((b - a)) more host system calls for $((many - few)) more operations"; fail=1
	fi
}

check "demo (CAPIO path)" 1000 10000 "" 100 demo --quiet
check "run udp-echo (CAPIO path)" 1000 10000 "" 100 run udp-echo
check "run memcached (CAPIO path)" 1000 10000 "" 100 run memcached
# The control: the kernel path enters the (simulated) kernel for every
# frame, and each entry costs a real system call.
check "run memcached --kernel-path" 1000 3000 2 "" run memcached --kernel-path
[ $fail -eq 0 ] && echo "e2e_host_syscalls: ok"
exit $fail
