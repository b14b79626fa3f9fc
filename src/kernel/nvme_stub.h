/*
 * nvme_stub.h — the kernel's NVMe driver stub: bring-up over the admin
 * queue, which the kernel keeps, and the CAPIO driver operations for
 * units, one per I/O queue pair: attach creates the unit's CQ and SQ on
 * its own rings and opens IOMMU windows onto them; detach deletes them
 * and closes the windows. A kernel-path claim gets the same queues,
 * driven by the kernel for its holder's SYS_BLK_* calls (nvme_kpath.h).
 */
#ifndef CAPIO_KERNEL_NVME_STUB_H
#define CAPIO_KERNEL_NVME_STUB_H

#include <stddef.h>

#include "abi/nvme.h"	/* SYS_INFO's words, NVME_INFO_* */

struct board_dev;
struct kernel;
struct nvme_stub;

/* Bring up device INDEX of the board, as BD describes it: enable the
 * controller, ask for the queue pairs it will offer, identify each
 * unit's namespace (its own when there are enough, else namespace 1).
 * With queue isolation (BD's queue_iommu) the units' windows go in their
 * queues' contexts and attach binds each queue to its namespace. */
struct nvme_stub *nvme_stub_new(struct kernel *k, int index,
    const struct board_dev *bd, char *err, size_t errlen);
void nvme_stub_free(struct nvme_stub *s);
/* Units to register: the I/O queue pairs granted, at most
 * NVME_STUB_MAX_UNITS. */
unsigned nvme_stub_units(const struct nvme_stub *s);

extern const struct capio_driver nvme_stub_driver;

#endif
