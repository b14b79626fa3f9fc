#!/usr/bin/env bash
# Installs the Debian packages capio needs, only those missing.
# Used by `make demo` and `make test`; safe to run again.
set -eu
pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev
      libpcap-dev liblwip-dev tshark iproute2 iputils-ping
      memcached libmemcached-tools sockperf gnuplot-nox librsvg2-bin jq
      qemu-system-x86 strace)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0
echo "capio: installing missing Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "capio: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
