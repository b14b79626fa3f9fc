#!/usr/bin/env bash
# e2e_nbd_tap.sh — `capio run nbd` against real NBD clients, through TAP
# interfaces inside a network namespace this test creates (10.79.x.0/24
# exist only in there): nbdinfo sees the export's size and block sizes;
# nbdcopy writes 64 MiB of random data and reads it back identical;
# qemu-img compare agrees with the source; fio --ioengine=nbd random
# read/write verifies every block (crc32c); garbage on the port closes
# that connection only; two tenants on one controller each see their
# own export, and their writes land in their own half of the disk file;
# and durability: written, flushed, the simulator killed with SIGKILL,
# started again on the same --disk, every block reads back; the kernel
# arm (--kernel-path: NIC and NVMe unit through the kernel) round-trips
# data with a hole (WRITE_ZEROES). Skips (77)
# without root, /dev/net/tun or a namespace; a missing client skips its
# checks and the test says which.
set -u
capio=$(readlink -f "$1")
[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "SKIPPED: needs root and /dev/net/tun"; exit 77; }
command -v ip >/dev/null || { echo "SKIPPED: no iproute2"; exit 77; }
. "$(dirname "$0")/netns.sh"
netns_open capio-nbd-$$
fail=0
missing=()
have() { command -v "$1" >/dev/null || { missing+=("$1"); return 1; }; }

# serve LOG ARGS...: capio run nbd in the namespace, in the background
serve() {
  local log=$1; shift
  ip netns exec "$ns" "$capio" run nbd "$@" --seconds 300 > "$log" 2>&1 &
  pids+=($!)
  server=$!
}
# wait_up ADDR: until an NBD greeting comes from ADDR:10809
wait_up() {
  for _ in $(seq 100); do
    inns bash -c "exec 3<>/dev/tcp/$1/10809 && head -c 8 <&3" 2>/dev/null | grep -q NBDMAGIC && return 0
    sleep 0.1
  done
  return 1
}
# stop: SIGINT, and the clean goodbye it must give
stop() {
  kill -INT "$server" 2>/dev/null
  wait "$server"; local rc=$?
  [[ $rc == 0 ]] || { echo "FAILED: capio run nbd exited $rc after SIGINT"; tail -5 "$1"; fail=1; }
}

cd "$work" || exit 1
head -c 64M /dev/urandom > src.img

# --- one tenant: nbdinfo, nbdcopy, qemu-img, fio, garbage ----------------
serve one.log --tap nbd0 --ip 10.79.0.2/24 --host-ip 10.79.0.1/24 --disk disk.img --size 64M --export vol
if wait_up 10.79.0.2; then
  uri=nbd://10.79.0.2/vol
  if have nbdinfo && have jq; then
    inns nbdinfo --json "$uri" > info.json 2>&1 || { echo "FAILED: nbdinfo"; cat info.json; fail=1; }
    # nbdinfo --json: one object per export; the values it read from GO
    got=$(jq -r '.exports[0] | "\(.["export-size"]) \(.["block_size_minimum"]) \(.["block_size_preferred"]) \(.["block_size_maximum"]) \(.can_flush) \(.can_trim) \(.can_zero) \(.can_fua)"' info.json 2>/dev/null)
    [[ $got == "67108864 512 4096 33554432 true true true true" ]] ||
      { echo "FAILED: nbdinfo saw '$got'"; cat info.json; fail=1; }
    inns nbdinfo --list nbd://10.79.0.2 2>&1 | grep -q 'export="vol"' || { echo "FAILED: nbdinfo --list"; fail=1; }
    inns nbdinfo nbd://10.79.0.2/other > other.txt 2>&1 && { echo "FAILED: an unknown export was served"; fail=1; }
  fi
  if have nbdcopy; then
    inns nbdcopy --flush src.img "$uri" || { echo "FAILED: nbdcopy to the export"; fail=1; }
    # One tenant: the export is the whole namespace, the file itself.
    cmp -s src.img disk.img || { echo "FAILED: the disk file is not what was written"; fail=1; }
    inns nbdcopy "$uri" back.img || { echo "FAILED: nbdcopy from the export"; fail=1; }
    cmp -s src.img back.img || { echo "FAILED: 64 MiB read back differ"; fail=1; }
    echo "nbdcopy: 64 MiB written and read back identical"
  fi
  if have qemu-img; then
    inns qemu-img compare -f raw -F raw src.img "$uri" > cmp.txt 2>&1 || { echo "FAILED: qemu-img compare"; cat cmp.txt; fail=1; }
    grep -q "Images are identical" cmp.txt && cat cmp.txt
  fi
  if have fio; then
    # Random writes with a crc32c header in every block, then every block
    # read back and checked (fio exits non-zero on a mismatch).
    inns fio --name=verify --ioengine=nbd --uri="$uri" --rw=randrw --bs=4k --size=32M \
      --iodepth=16 --verify=crc32c --do_verify=1 --verify_fatal=1 --output=fio.txt \
      || { echo "FAILED: fio verify"; tail -20 fio.txt; fail=1; }
    grep -q "err= 0" fio.txt || { echo "FAILED: fio reported errors"; tail -20 fio.txt; fail=1; }
    grep -Eo "(read|write): IOPS=[^,]*" fio.txt | tr '\n' ' '; echo "(fio, verified)"
  fi
  # Garbage on the port (an option without its magic): that connection is
  # closed, the export still serves.
  inns bash -c 'exec 3<>/dev/tcp/10.79.0.2/10809; head -c 18 <&3 >/dev/null; printf "\0\0\0\1NOTMAGIC-garbage-garbage" >&3; timeout 5 cat <&3 >/dev/null'
  if have nbdinfo; then
    inns nbdinfo --size "$uri" | grep -qx 67108864 || { echo "FAILED: not serving after garbage"; fail=1; }
  fi
  stop one.log
  grep -q "stopped; tenant 0 exited 0" one.log || { echo "FAILED: no clean goodbye"; tail -5 one.log; fail=1; }
  grep -q " 1 closed for protocol violations" one.log || { echo "FAILED: the garbage was not counted"; tail -3 one.log; fail=1; }
else
  echo "FAILED: capio run nbd did not come up"; cat one.log; fail=1
fi

# --- durability: write, FLUSH, SIGKILL, start again, read back ------------
if have nbdcopy; then
  head -c 16M /dev/urandom > dur.img
  serve dur.log --tap nbd0 --ip 10.79.0.2/24 --host-ip 10.79.0.1/24 --disk dur-disk.img --size 16M
  if wait_up 10.79.0.2; then
    # --flush: an NBD_CMD_FLUSH after the last write, answered only once
    # the NVMe Flush has fsynced the file.
    inns nbdcopy --flush dur.img nbd://10.79.0.2/capio || { echo "FAILED: nbdcopy --flush"; fail=1; }
    kill -KILL "$server"; wait "$server" 2>/dev/null
    serve dur2.log --tap nbd0 --ip 10.79.0.2/24 --host-ip 10.79.0.1/24 --disk dur-disk.img
    if wait_up 10.79.0.2; then
      inns nbdcopy nbd://10.79.0.2/capio dur-back.img || { echo "FAILED: read after restart"; fail=1; }
      cmp -s dur.img dur-back.img && echo "durability: 16 MiB flushed, SIGKILL, restarted, read back identical" ||
        { echo "FAILED: flushed data lost across SIGKILL"; fail=1; }
      stop dur2.log
    else
      echo "FAILED: no restart on the same disk"; cat dur2.log; fail=1
    fi
  else
    echo "FAILED: capio run nbd (durability) did not come up"; cat dur.log; fail=1
  fi
fi

# --- the kernel arm: the NIC and the NVMe unit through the kernel ---------
if have nbdcopy; then
  # Random data with a hole of zeroes in it: nbdcopy sends the hole as
  # WRITE_ZEROES, which the kernel path turns into zero data.
  { head -c 6M /dev/urandom; head -c 4M /dev/zero; head -c 6M /dev/urandom; } > kp.img
  head -c 16M /dev/urandom > kp-disk.img   # old contents under the hole
  serve kp.log --kernel-path --tap nbd0 --ip 10.79.0.2/24 --host-ip 10.79.0.1/24 --disk kp-disk.img
  if wait_up 10.79.0.2; then
    inns nbdcopy --flush kp.img nbd://10.79.0.2/capio || { echo "FAILED: nbdcopy to the kernel arm"; fail=1; }
    inns nbdcopy nbd://10.79.0.2/capio kp-back.img || { echo "FAILED: nbdcopy from the kernel arm"; fail=1; }
    stop kp.log
    cmp -s kp.img kp-back.img && cmp -s kp.img kp-disk.img &&
      echo "kernel arm: 16 MiB with a 4 MiB hole written, read back and in the file identical" ||
      { echo "FAILED: the kernel arm's data differ"; fail=1; }
  else
    echo "FAILED: capio run nbd --kernel-path did not come up"; cat kp.log; fail=1
  fi
fi

# --- two tenants on one controller -----------------------------------------
if have nbdcopy && have nbdinfo; then
  head -c 8M /dev/urandom > a.img
  head -c 8M /dev/urandom > b.img
  serve two.log --tenants 2 --tap nbdt --ip 10.79.0.2/24 --host-ip 10.79.0.1/24 --disk two.img --size 16M
  if wait_up 10.79.0.2 && wait_up 10.79.1.2; then
    for t in 0 1; do
      inns nbdinfo --size nbd://10.79.$t.2/capio | grep -qx 8388608 || { echo "FAILED: tenant $t's export is not 8 MiB"; fail=1; }
    done
    inns nbdcopy --flush a.img nbd://10.79.0.2/capio || { echo "FAILED: write tenant 0"; fail=1; }
    inns nbdcopy --flush b.img nbd://10.79.1.2/capio || { echo "FAILED: write tenant 1"; fail=1; }
    inns nbdcopy nbd://10.79.0.2/capio a-back.img && inns nbdcopy nbd://10.79.1.2/capio b-back.img ||
      { echo "FAILED: read the tenants back"; fail=1; }
    cmp -s a.img a-back.img && cmp -s b.img b-back.img || { echo "FAILED: a tenant sees the other's data"; fail=1; }
    # Each tenant's blocks are its half of the file, and only there.
    cat a.img b.img | cmp -s - two.img && echo "two tenants: each reads its own 8 MiB; the file holds them side by side" ||
      { echo "FAILED: the tenants' writes are not in their own halves"; fail=1; }
    stop two.log
    grep -c "exited 0" two.log | grep -qx 2 || { echo "FAILED: both tenants should exit 0"; tail -4 two.log; fail=1; }
  else
    echo "FAILED: two tenants did not come up"; cat two.log; fail=1
  fi
fi

ip link show nbd0 >/dev/null 2>&1 && { echo "FAILED: nbd0 visible outside the namespace"; fail=1; }
if [[ $fail == 0 && ${#missing[@]} -gt 0 ]]; then
  echo "SKIPPED: not installed: $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')(scripts/deps.sh test)"
  exit 77
fi
[[ $fail == 0 ]] && echo "e2e_nbd_tap: all passed"
exit $fail
