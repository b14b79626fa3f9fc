#!/bin/sh
# deps.sh [demo|test|fuzz] — install the Debian packages capio needs for a
# job, only those missing. POSIX sh: it runs where bash, make, sudo and
# python3 are not installed yet (a minimal Debian 12).
#   demo  building capio and running it (the main job)
#   test  demo + what the test suite drives: real peers, capture and
#         plotting tools, QEMU as the qtest reference
#   fuzz  test + clang and its libFuzzer/sanitizer runtime
# Installing never leaves a service running or enabled (memcached's package
# starts one; the tests start their own memcached when they need one).
set -eu
job=${1:-demo}
build="make gcc libc6-dev cmake pkg-config libpcap-dev liblwip-dev"
tools="jq iproute2 iputils-ping mount tshark memcached libmemcached-tools
       sockperf gnuplot-nox librsvg2-bin libxml2-utils qemu-system-x86 strace
       python3"
# memcached's own t/ suite (tests/e2e_memcached_suite.sh): perl runs it,
# dpkg-dev's dpkg-source unpacks Debian's source package
tools="$tools perl dpkg-dev"
# the Node clients (tests/e2e_node_clients.sh)
tools="$tools nodejs npm"
# NBD clients and the reference servers (tests/e2e_nbd_tap.sh, bench/nbd.sh)
tools="$tools libnbd-bin qemu-utils fio nbdkit"
case $job in
demo)	pkgs=$build ;;
test)	pkgs="$build $tools" ;;
fuzz)	pkgs="$build $tools clang libclang-rt-14-dev" ;;
*)	echo "usage: scripts/deps.sh [demo|test|fuzz]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	echo "capio: not a Debian system (no dpkg/apt-get); install by hand:" \
	    $pkgs >&2
	exit 1
fi
# What installed packages provide counts as installed (a nodejs that
# bundles npm provides npm, and conflicts with the npm package).
provided=" $(dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null |
    sed -n 's/^ii *|//p' | sed 's/([^)]*)//g' | tr ',\n' '  ') "
missing=""
for p in $pkgs; do
	case $provided in *" $p "*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
missing=${missing# }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO="sudo -n"
	else
		echo "capio: $job needs Debian packages that are not installed; as root, run:" >&2
		echo "  apt-get update && apt-get install -y --no-install-recommends $missing" >&2
		exit 1
	fi
fi
echo "capio: installing missing Debian packages for '$job': $missing" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: answer no, without a prompt.
if command -v debconf-set-selections >/dev/null 2>&1; then
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
	    $SUDO debconf-set-selections 2>/dev/null || true
fi

# Keep packages from starting services while they install: invoke-rc.d and
# deb-systemd-invoke ask policy-rc.d, and 101 means "not now". Ours only
# while we install, and only where the system has none of its own.
policy=/usr/sbin/policy-rc.d
ours=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# capio scripts/deps.sh, for the length of one install\nexit 101\n' |
	    $SUDO tee "$policy" >/dev/null && $SUDO chmod 755 "$policy" && ours=1
fi
cleanup() { [ "$ours" = 1 ] && $SUDO rm -f "$policy"; return 0; }
trap cleanup EXIT INT TERM

# apt's own chatter goes to a log, shown only if something fails.
log=$(mktemp "${TMPDIR:-/tmp}/capio-apt.XXXXXX")
$SUDO apt-get update >"$log" 2>&1 ||
    echo "capio: apt-get update failed; trying the package lists we have" >&2
# shellcheck disable=SC2086  # one word per package
if ! $SUDO apt-get install -y --no-install-recommends $missing </dev/null >>"$log" 2>&1; then
	tail -20 "$log" >&2
	echo "capio: apt-get install failed (whole log: $log)" >&2
	exit 1
fi
echo "capio: installed $(grep -c '^Setting up ' "$log") packages" >&2
rm -f "$log"

# A package's postinst enables its service for the next boot even when it
# may not start it now: memcached is the tests' to start, never the system's.
case " $missing " in
*" memcached "*)
	if command -v systemctl >/dev/null 2>&1; then
		$SUDO systemctl disable --now memcached >/dev/null 2>&1 || true
	fi
	if [ -x /usr/sbin/update-rc.d ]; then
		$SUDO /usr/sbin/update-rc.d memcached disable >/dev/null 2>&1 || true
	fi
	;;
esac
exit 0
