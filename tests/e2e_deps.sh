#!/usr/bin/env bash
# e2e_deps.sh — scripts/deps.sh and make.sh, the README's two commands,
# with apt, dpkg and id replaced by stand-ins on the PATH: each job asks for
# its own packages only (the demo needs no test tool), a user who cannot
# install is told the one apt-get line root must run, and both scripts are
# plain POSIX sh (a bare Debian has no bash-only luxuries before install).
set -u
src=${CAPIO_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capio-e2e.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
for s in make.sh scripts/deps.sh scripts/ctest.sh; do
	sh -n "$src/$s" || { echo "FAILED: $s is not POSIX sh"; fail=1; }
	if command -v dash >/dev/null; then
		dash -n "$src/$s" || { echo "FAILED: $s does not parse in dash"; fail=1; }
	fi
done
# Stand-ins: nothing is installed, we are uid 1000, sudo needs a password.
mkdir "$tmp/bin"
printf '#!/bin/sh\nexit 1\n' > "$tmp/bin/dpkg-query"
printf '#!/bin/sh\necho "apt-get $*" >> %s/apt.log\n' "$tmp" > "$tmp/bin/apt-get"
printf '#!/bin/sh\necho 1000\n' > "$tmp/bin/id"
printf '#!/bin/sh\nexit 1\n' > "$tmp/bin/sudo"
chmod +x "$tmp/bin"/*
for job in demo test fuzz; do
	PATH="$tmp/bin:$PATH" sh "$src/scripts/deps.sh" $job > "$tmp/out" 2>&1; rc=$?
	[[ $rc == 1 ]] || { echo "FAILED: deps.sh $job as a user exited $rc"; fail=1; }
	grep -q '^  apt-get update && apt-get install -y --no-install-recommends make gcc' "$tmp/out" ||
		{ echo "FAILED: deps.sh $job: no apt-get line for root"; cat "$tmp/out"; fail=1; }
	[[ ! -e $tmp/apt.log ]] || { echo "FAILED: deps.sh $job ran apt-get as a user"; fail=1; }
	line=$(grep 'apt-get install' "$tmp/out")
	case $job in
	demo)	for p in qemu-system-x86 tshark memcached clang; do
			[[ " $line " == *" $p "* ]] && { echo "FAILED: the demo asks for $p"; fail=1; }
		done
		for p in liblwip-dev libpcap-dev cmake make; do
			[[ " $line " == *" $p "* ]] || { echo "FAILED: the demo lacks $p"; fail=1; }
		done ;;
	test)	for p in qemu-system-x86 tshark memcached jq strace; do
			[[ " $line " == *" $p "* ]] || { echo "FAILED: the tests lack $p"; fail=1; }
		done
		[[ " $line " == *" clang "* ]] && { echo "FAILED: the tests ask for clang"; fail=1; } ;;
	fuzz)	[[ " $line " == *" clang "* ]] || { echo "FAILED: fuzz lacks clang"; fail=1; } ;;
	esac
done
PATH="$tmp/bin:$PATH" sh "$src/scripts/deps.sh" sideways > "$tmp/out" 2>&1; rc=$?
[[ $rc == 2 ]] && grep -q '^usage: ' "$tmp/out" || { echo "FAILED: deps.sh with a bad job exited $rc"; fail=1; }
# make.sh stops before make when the packages cannot be installed.
printf '#!/bin/sh\necho MAKE-RAN\n' > "$tmp/bin/make"; chmod +x "$tmp/bin/make"
PATH="$tmp/bin:$PATH" sh "$src/make.sh" demo > "$tmp/out" 2>&1; rc=$?
[[ $rc == 1 ]] && ! grep -q MAKE-RAN "$tmp/out" || { echo "FAILED: make.sh ran make without its packages (exit $rc)"; fail=1; }
# The install rule puts a working capio under PREFIX/bin (CTest runs us
# from the build directory).
if [[ -f CMakeCache.txt ]] && command -v cmake >/dev/null; then
	if cmake --install . --prefix "$tmp/prefix" >/dev/null 2>&1; then
		(cd / && "$tmp/prefix/bin/capio" --version) | grep -q '^capio [0-9]' ||
			{ echo "FAILED: the installed capio does not run"; fail=1; }
	else
		echo "FAILED: cmake --install"; fail=1
	fi
fi
# Nothing in the tree reads the steering folder beside it: the tests carry
# their own data.
if grep -rIl --exclude-dir=.git --exclude-dir='build*' '\.\./'"shared" "$src" > "$tmp/shared" 2>/dev/null; then
	echo "FAILED: these files name the folder beside the tree:"; cat "$tmp/shared"; fail=1
fi
[[ $fail == 0 ]] && echo "e2e_deps: all passed"
exit $fail
