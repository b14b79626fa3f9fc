/*
 * nbd_disk.h — an NBD export's storage on an NVMe queue pair: a window
 * of whole blocks [first_lba, first_lba + nblocks) of the unit's
 * namespace, driven through the user-level driver (nvme_driver.h) or,
 * for the kernel arm, through the kernel's block calls.
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

#include "cap/cap.h"

struct nvdrv;

/*
 * Or the unit through the kernel (SYS_BLK_*, abi/blk.h): the kernel
 * drives the queue pair and copies through BUF, NBD_CHUNK bytes of the
 * process's memory. The kernel path has no Write Zeroes and no Dataset
 * Management: WRITE_ZEROES writes zero data, TRIM (a hint) does nothing.
 */
struct nbd_kpath {
	int dev;
	cap_t token, buf;
	uint32_t lba_size;
	uint64_t nblocks;
};

struct nbd_disk {
	struct nvdrv *d;		/* the user-level driver, or NULL */
	const struct nbd_kpath *kp;	/* else the kernel path */
	uint64_t first_lba, nblocks;
	uint32_t bs;			/* the namespace's block size */
	uint64_t nvme_errors;		/* commands the controller failed */
	uint8_t page[NBD_CHUNK];	/* read-modify-write */
};

/*
 * Unit UNIT of NVMe device DEV through the kernel: attach it for the
 * kernel path, read its geometry, map the copy buffer. 0 or -errno.
 */
int nbd_kpath_open(struct nbd_kpath *kp, int dev, unsigned unit);
int nbd_kpath_close(struct nbd_kpath *kp);

/*
 * The window on the namespace of D (or, D NULL, of KP); 0, or -1 when
 * it is not inside the namespace, or its start is not on a NBD_CHUNK
 * boundary (a chunk must be one command).
 */
int nbd_disk_init(struct nbd_disk *k, struct nvdrv *d,
    const struct nbd_kpath *kp, uint64_t first_lba, uint64_t nblocks);
uint64_t nbd_disk_size(const struct nbd_disk *k);

extern const struct nbd_disk_ops nbd_disk_ops;

#endif
