/*
 * nbd_disk.h — an NBD export's storage on an NVMe queue pair: a window
 * of whole blocks [first_lba, first_lba + nblocks) of the unit's
 * namespace, driven through the user-level driver (nvme_driver.h).
 * Requests that do not cover whole blocks are read-modify-write; TRIM is
 * Dataset Management (deallocate) of the whole blocks it covers;
 * WRITE_ZEROES is Write Zeroes, or zero data written when the client
 * forbids holes; FLUSH is the controller's Flush.
 *
 * The window is this process's own bookkeeping: the controller knows
 * only the namespace (docs/nbd.md, "Trust").
 */
#ifndef CAPIO_USER_NBD_DISK_H
#define CAPIO_USER_NBD_DISK_H

#include <stdint.h>

#include "user/nbd_conn.h"

struct nvdrv;

struct nbd_disk {
	struct nvdrv *d;
	uint64_t first_lba, nblocks;
	uint32_t bs;			/* the namespace's block size */
	uint64_t nvme_errors;		/* commands the controller failed */
	uint8_t page[NBD_CHUNK];	/* read-modify-write */
};

/*
 * The window on d's namespace; 0, or -1 when it is not inside the
 * namespace, or its start is not on a NBD_CHUNK boundary (a chunk must
 * be one command).
 */
int nbd_disk_init(struct nbd_disk *k, struct nvdrv *d, uint64_t first_lba,
    uint64_t nblocks);
uint64_t nbd_disk_size(const struct nbd_disk *k);

extern const struct nbd_disk_ops nbd_disk_ops;

#endif
