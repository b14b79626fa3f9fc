#!/usr/bin/env bash
# e2e_qtest_nvme.sh — the NVMe half of the differential suite
# (docs/conformance.md): every tests/qtest/nvme-*.qtest scenario against
# QEMU 7.2's `-device nvme` and `capio qtest --nvme`, and the --nvme
# command-line checks. The runner is e2e_qtest.sh; this is its NVMe set.
#
# usage: e2e_qtest_nvme.sh /path/to/capio [SCENARIO...]
# Exit 77 (skip) when QEMU is not installed, after running the capio side
# alone.
QTEST_SET=nvme exec bash "$(dirname "$0")/e2e_qtest.sh" "$@"
