/*
 * blk.c — the kernel-mediated block path's system calls (abi/blk.h):
 * SYS_BLK_READ, SYS_BLK_WRITE and SYS_BLK_FLUSH, one request from the
 * registers; SYS_BLK_SUBMIT, up to BLK_BATCH_MAX requests read from the
 * caller's records through its capability, their results written back.
 * The claim is checked here (the token of a kernel-path claim, the
 * caller's); the request itself (range, length, buffer) by the unit's
 * stub, which knows the namespace. Device-agnostic.
 */
#include <errno.h>
#include <string.h>

#include "abi/blk.h"
#include "kernel/kernel_priv.h"
#include "machine/access.h"

int
blk_buf_check(cap_t buf, uint64_t len, bool into)
{
	uint32_t need = into ? CAP_PERM_STORE : CAP_PERM_LOAD;
	uint64_t addr = cap_bounds_address(cheri_address_get(buf));
	uint64_t base = cheri_base_get(buf), size = cheri_length_get(buf);

	if (!cheri_tag_get(buf) || cheri_is_sealed(buf) ||
	    (cheri_perms_get(buf) & need) != need ||
	    addr < base || addr - base > size || len > size - (addr - base))
		return -EFAULT;
	return 0;
}

/*
 * The records of SYS_BLK_SUBMIT: every one loaded (its buffer capability
 * by a capability load, tag and all) and its result word stored 0, all
 * through the caller's capability before any request runs, so that the
 * results can be written back afterwards. 0 or -EFAULT (nothing done).
 */
static int
read_records(struct proc *p, cap_t recs, struct blk_io *io, unsigned n)
{
	struct fault f;

	if (cheri_address_get(recs) % 16 != 0)
		return -EFAULT;
	for (unsigned i = 0; i < n; i++) {
		int64_t off = (int64_t)i * BLK_REQ_SIZE;
		uint64_t slba, nlb, op;

		if (access_load_cap(p->as, recs, off + BLK_REQ_BUF, &io[i].buf,
		    &f) != 0 ||
		    access_load(p->as, recs, off + BLK_REQ_SLBA, 8, &slba,
		    &f) != 0 ||
		    access_load(p->as, recs, off + BLK_REQ_NLB, 4, &nlb,
		    &f) != 0 ||
		    access_load(p->as, recs, off + BLK_REQ_OP, 4, &op, &f) != 0 ||
		    access_store(p->as, recs, off + BLK_REQ_RESULT, 8, 0,
		    &f) != 0)
			return -EFAULT;
		io[i].slba = slba;
		io[i].nlb = (uint32_t)nlb;
		io[i].op = (uint32_t)op;
		io[i].result = 0;
	}
	return 0;
}

int64_t
blk_do_call(struct kernel *k, struct proc *p, enum sysno nr,
    const struct sysargs *a)
{
	struct blk_io io[BLK_BATCH_MAX];
	struct capio_dev *d;
	struct capio_unit *u;
	unsigned n = 1;
	int64_t rc;
	int err;

	if ((u = capio_kernel_path_of(k, p, a, &d, &err)) == NULL)
		return err;
	if (d->drv->blk == NULL)
		return -EOPNOTSUPP;	/* a NIC's claim */
	memset(io, 0, sizeof io[0]);
	switch (nr) {
	case SYS_BLK_READ:
	case SYS_BLK_WRITE:
		io[0].op = nr == SYS_BLK_READ ? BLK_OP_READ : BLK_OP_WRITE;
		io[0].buf = a->c[1];
		io[0].slba = a->x[1];
		/* Larger than any request may be: refused, not truncated. */
		io[0].nlb = a->x[2] > UINT32_MAX ? 0 : (uint32_t)a->x[2];
		break;
	case SYS_BLK_FLUSH:
		io[0].op = BLK_OP_FLUSH;
		break;
	default:	/* SYS_BLK_SUBMIT */
		if (a->x[1] == 0 || a->x[1] > BLK_BATCH_MAX)
			return -EINVAL;
		n = (unsigned)a->x[1];
		if ((err = read_records(p, a->c[1], io, n)) != 0)
			return err;
		break;
	}
	rc = d->drv->blk(d->stub, (unsigned)(u - d->unit), p, io, n);
	if (nr != SYS_BLK_SUBMIT)
		return rc < 0 ? rc : io[0].result;
	/* Checked stores that read_records has already made once: they
	 * cannot fail now (a system call runs to its end). */
	for (unsigned i = 0; i < n; i++) {
		struct fault f;

		(void)access_store(p->as, a->c[1], (int64_t)i * BLK_REQ_SIZE +
		    BLK_REQ_RESULT, 8, (uint64_t)io[i].result, &f);
	}
	return rc;
}
