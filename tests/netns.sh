# netns.sh — sourced by the TAP tests: netns_open NAME makes the network
# namespace NAME, a work directory $work, a list $pids of servers to stop,
# inns (run a command in the namespace) and the cleanup that undoes all of
# it on exit; it skips (77) where a namespace cannot be made or entered.
netns_open() {
  ns=$1
  ip netns add "$ns" || { echo "SKIPPED: cannot create a network namespace"; exit 77; }
  work=$(mktemp -d)
  pids=()
  trap netns_cleanup EXIT
  # `ip netns exec` remounts /sys: it fails in a chroot or a container
  # whose / is not a mount point.
  inns true 2>/dev/null || { echo "SKIPPED: 'ip netns exec' does not work here (a chroot or container whose / is not a mount point?)"; exit 77; }
}
inns() { ip netns exec "$ns" "$@"; }
netns_cleanup() {
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
