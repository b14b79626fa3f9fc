/*
 * blk.h — the kernel-mediated block path as a process sees it: the
 * limits the kernel enforces on SYS_BLK_READ, SYS_BLK_WRITE,
 * SYS_BLK_FLUSH and SYS_BLK_SUBMIT (abi/syscall.h), and the layout of
 * SYS_BLK_SUBMIT's request records in the caller's memory.
 *
 * A process claims a unit of a block device (an NVMe queue pair) with
 * SYS_ATTACH and SYS_ATTACH_KERNEL_PATH. It maps nothing: the kernel
 * drives the unit's queue pair itself, in the kernel's memory, and each
 * call returns with the data moved (the kernel copies between the
 * caller's buffer and its own DMA memory). SYS_INFO with the token gives
 * the geometry (abi/nvme.h: NVME_INFO_LBA_SIZE, NVME_INFO_NBLOCKS).
 *
 * Errors, of a call or of one record:
 *   ENODEV      no such device
 *   EPERM       the token is not the caller's kernel-path claim
 *   EOPNOTSUPP  the device has no block path (a NIC)
 *   EINVAL      no blocks, more than BLK_MAX_BYTES, a range that does
 *               not lie within the namespace, an unknown operation;
 *               SYS_BLK_SUBMIT: no records or more than BLK_BATCH_MAX,
 *               or more data than BLK_BATCH_BYTES
 *   EFAULT      a capability that does not grant the access over the
 *               whole length: untagged, sealed, without the permission
 *               (Store to read into, Load to write from), out of bounds,
 *               not mapped
 *   EIO         the device completed the command with an error
 */
#ifndef CAPIO_ABI_BLK_H
#define CAPIO_ABI_BLK_H

#define BLK_MAX_BYTES	(128u << 10)	/* one request: the controller's
					   largest transfer (MDTS) */
#define BLK_BATCH_MAX	32		/* records per SYS_BLK_SUBMIT */
/* Data of one SYS_BLK_SUBMIT, each record counted in whole 4 KiB pages
 * (the kernel's bounce buffers). */
#define BLK_BATCH_BYTES	(128u << 10)
#define BLK_PAGE	4096u

enum blk_op {
	BLK_OP_READ = 1,	/* device -> buffer */
	BLK_OP_WRITE = 2,	/* buffer -> device */
	BLK_OP_FLUSH = 3,	/* no data: earlier writes made durable */
};

/*
 * SYS_BLK_SUBMIT's records: x1 of them, back to back, at c1's address,
 * which must be 16-byte aligned; c1 must allow Load, Load Capability
 * and Store over all of them (else EFAULT, and nothing is done). The
 * kernel reads every record before it starts, runs the valid ones
 * together (one doorbell), and writes each record's result back.
 */
#define BLK_REQ_BUF	0	/* capability (16 bytes, tagged): the data */
#define BLK_REQ_SLBA	16	/* u64: first block */
#define BLK_REQ_NLB	24	/* u32: blocks (flush: ignored) */
#define BLK_REQ_OP	28	/* u32: enum blk_op */
#define BLK_REQ_RESULT	32	/* i64, written back: bytes moved, or
				   -errno */
#define BLK_REQ_SIZE	48

#endif
