/*
 * libcapio.h — what an unprivileged process calls to use a device
 * through CAPIO: read a device's description, attach with an identity
 * capability, map regions, find slices by name, read the stub's info,
 * say goodbye. And the plain system calls a process needs (memory,
 * exit, yield, the kernel-mediated path).
 *
 * Every call is one trap (svc, machine/trap.h) with the registers of
 * abi/syscall.h. Errors are negative errno values; capio_strerror names
 * them.
 */
#ifndef CAPIO_USER_LIBCAPIO_H
#define CAPIO_USER_LIBCAPIO_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/manifest.h"
#include "abi/syscall.h"
#include "cap/cap.h"

/* What one map request granted. */
struct capio_grant {
	struct capio_region_desc region;	/* as the description said */
	uint64_t va;			/* where it is mapped */
	unsigned unit;			/* of the token: its slices are at
					   capio_slice_offset(.., unit) */
	cap_t caps[SYS_MAXCAPS];	/* DMA: [0]; registers: one per slice */
	unsigned ncaps;
};

/*
 * Device DEV's description (its manifest, abi/manifest.h) into *d. The
 * kernel writes it into the caller's memory through BUF, which must
 * allow Store and Load (it is read back from there) over at least
 * sizeof *d bytes: e.g. the page that serves as identity. No token is
 * needed. -ENODEV, or -EFAULT for a buffer that cannot take it.
 */
int capio_describe(int dev, cap_t buf, struct capio_desc *d);
/* Region NAME of D (its index is SYS_MAP's x1), or NULL. */
const struct capio_region_desc *capio_region(const struct capio_desc *d,
    const char *name);
/*
 * Take unit UNIT of device DEV (d.nunits of them: a NIC has one, unit 0;
 * an NVMe controller one per queue pair) for a user-level driver, and
 * capio_map its regions with the token, which names that unit only.
 * One holder per unit (EBUSY); other units are others' to take. -ENODEV:
 * no such device or unit.
 */
int capio_attach_unit(int dev, unsigned unit, cap_t identity, cap_t *token);
/* Unit 0: the whole of a NIC. */
int capio_attach(int dev, cap_t identity, cap_t *token);
/* Take device DEV for the kernel-mediated path: the token sys_send and
 * sys_recv require; nothing to map. Either way one holder at a time
 * (EBUSY), until goodbye or the holder's end. */
int capio_attach_kernel_path(int dev, cap_t identity, cap_t *token);
/* The same for unit UNIT (an NVMe queue pair, which the kernel then
 * drives for the holder's sys_blk_* calls; SYS_INFO works with the
 * token). */
int capio_attach_kernel_path_unit(int dev, unsigned unit, cap_t identity,
    cap_t *token);
/* Offset in its region of slice S for unit UNIT. */
uint64_t capio_slice_offset(const struct capio_slice_desc *s, unsigned unit);
/* Map REGION (by name, in D from capio_describe) of the unit the token
 * names, asking for Load+Store (or Load only when read_only). -EINVAL:
 * no such region. */
int capio_map(int dev, cap_t token, const struct capio_desc *d,
    const char *region, bool read_only, struct capio_grant *g);
/* The slice capability called NAME, or an untagged null capability. */
cap_t capio_slice(const struct capio_grant *g, const char *name);
/* The stub's info words (device-specific meaning, e.g. E1000E_INFO_*). */
int capio_info(int dev, cap_t token, uint64_t info[8]);
/*
 * What every user-level driver does first: an identity page (which also
 * takes the description), describe, attach UNIT, map the N regions named
 * in REGIONS read-write into G[0..N), read the info words. 0, or the
 * first call's -errno.
 */
int capio_open_unit(int dev, unsigned unit, const char *const *regions,
    unsigned n, cap_t *token, struct capio_grant *g, uint64_t info[8]);
int capio_goodbye(int dev, cap_t token);
const char *capio_strerror(int err);

/* Any system call, as it is: the frame packed from a, the trap, r
 * unpacked from the frame. Returns r->ret. */
int64_t capio_syscall(enum sysno nr, const struct sysargs *a,
    struct sysret *r);

/* Plain system calls. */
int sys_mmap(uint64_t len, cap_t *out);
void sys_exit(int status) __attribute__((noreturn));
void sys_yield(void);
int sys_getpid(void);
/* The kernel-mediated path, with the token of capio_attach_kernel_path
 * (anything else: EPERM). */
int64_t sys_send(int dev, cap_t token, cap_t frame, uint64_t len);
/* Copies at most max bytes; *framelen (may be NULL) gets the frame's
 * length. -EAGAIN when nothing has arrived. */
int64_t sys_recv(int dev, cap_t token, cap_t buf, uint64_t max,
    uint64_t *framelen);
/*
 * The kernel-mediated block path (abi/blk.h), with the token of
 * capio_attach_kernel_path_unit: NLB blocks from SLBA into (read) or out
 * of (write) BUF, which must grant Store (Load) over all of them. The
 * bytes moved, or -errno.
 */
int64_t sys_blk_read(int dev, cap_t token, uint64_t slba, uint64_t nlb,
    cap_t buf);
int64_t sys_blk_write(int dev, cap_t token, uint64_t slba, uint64_t nlb,
    cap_t buf);
/* 0 once everything written before is durable, or -errno. */
int64_t sys_blk_flush(int dev, cap_t token);
/* Requests [0, n) of the records at RECS (BLK_REQ_SIZE bytes each, 16-byte
 * aligned; blk_req_put fills one), run together: how many succeeded, or
 * -errno; each record's result (blk_req_result) says how it went. */
int64_t sys_blk_submit(int dev, cap_t token, cap_t recs, unsigned n);
/* Record i at RECS: OP (enum blk_op) of NLB blocks from SLBA with BUF. */
void blk_req_put(cap_t recs, unsigned i, uint32_t op, uint64_t slba,
    uint32_t nlb, cap_t buf);
/* Record i's result: bytes moved, or -errno. */
int64_t blk_req_result(cap_t recs, unsigned i);

#endif
