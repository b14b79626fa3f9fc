#!/bin/sh
# make.sh TARGET — the README's commands on any Debian, even a bare one:
# installs what TARGET needs (scripts/deps.sh), then runs `make TARGET`.
#   sh make.sh demo     build capio and run the main job
#   sh make.sh test     build and pass every test
# Any other Makefile target works too (asan, fuzz, install, bench, ...).
set -eu
cd "$(dirname "$0")"
[ $# -gt 0 ] || set -- demo
case $1 in
test|asan|check)	job=test ;;
fuzz|ci)		job=fuzz ;;
*)			job=demo ;;
esac
sh scripts/deps.sh "$job"
exec make "$@"
