/* libcapio.c — see libcapio.h. Thin wrappers over one trap. */
#include "user/libcapio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abi/blk.h"
#include "machine/cpu.h"

_Static_assert(SYS_NREGS_X <= TRAP_NXREGS && SYS_MAXCAPS <= TRAP_NCREGS,
    "the ABI's registers are the machine's");
_Static_assert(CAPIO_DESC_SLICES <= SYS_MAXCAPS,
    "a mapped region's slices come back in one call");

int64_t
capio_syscall(enum sysno nr, const struct sysargs *a, struct sysret *r)
{
	struct trapframe tf;

	memset(&tf, 0, sizeof tf);
	tf.x[SYS_REG_NR] = (uint64_t)nr;
	for (unsigned i = 0; i < SYS_NARGS_X; i++)
		tf.x[SYS_REG_ARG + i] = a->x[i];
	for (unsigned i = 0; i < SYS_NARGS_C; i++)
		tf.c[i] = a->c[i];
	svc(&tf);
	r->ret = (int64_t)tf.x[SYS_REG_RET];
	for (unsigned i = 0; i < SYS_NRES_X; i++)
		r->x[i] = tf.x[SYS_REG_RES + i];
	for (unsigned i = 0; i < SYS_MAXCAPS; i++)
		r->c[i] = tf.c[i];
	r->ncaps = tf.x[SYS_REG_NCAPS] < SYS_MAXCAPS ?
	    (unsigned)tf.x[SYS_REG_NCAPS] : SYS_MAXCAPS;
	return r->ret;
}

static int64_t
call(enum sysno nr, const struct sysargs *a, struct sysret *r)
{
	return capio_syscall(nr, a, r);
}

/* A description's name field (maybe unterminated) is exactly NAME. */
static bool
name_is(const char field[CAPIO_DESC_NAME_MAX], const char *name)
{
	return strnlen(name, CAPIO_DESC_NAME_MAX) < CAPIO_DESC_NAME_MAX &&
	    strncmp(field, name, CAPIO_DESC_NAME_MAX) == 0;
}

int
capio_describe(int dev, cap_t buf, struct capio_desc *d)
{
	struct sysargs a = { .x = { (uint64_t)dev, sizeof *d }, .c = { buf } };
	struct sysret r;
	int64_t rc;

	memset(d, 0, sizeof *d);
	/* Read back through buf below: it must allow that too. */
	if (!(cheri_perms_get(buf) & CAP_PERM_LOAD))
		return -EFAULT;
	if ((rc = call(SYS_DESCRIBE, &a, &r)) != 0)
		return (int)rc;
	ldbytes(buf, 0, d, sizeof *d);
	/* Counts the lookups below can trust. */
	if (d->nregions > CAPIO_DESC_REGIONS)
		d->nregions = CAPIO_DESC_REGIONS;
	for (unsigned i = 0; i < d->nregions; i++)
		if (d->regions[i].nslices > CAPIO_DESC_SLICES)
			d->regions[i].nslices = CAPIO_DESC_SLICES;
	return 0;
}

static int
attach(int dev, uint64_t flags, unsigned unit, cap_t identity, cap_t *token)
{
	struct sysargs a = { .x = { (uint64_t)dev, flags, unit },
	    .c = { identity } };
	struct sysret r;
	int64_t rc = call(SYS_ATTACH, &a, &r);

	if (rc == 0)
		*token = r.c[0];
	return (int)rc;
}

int
capio_attach_unit(int dev, unsigned unit, cap_t identity, cap_t *token)
{
	return attach(dev, 0, unit, identity, token);
}

int
capio_attach(int dev, cap_t identity, cap_t *token)
{
	return attach(dev, 0, 0, identity, token);
}

int
capio_attach_kernel_path(int dev, cap_t identity, cap_t *token)
{
	return attach(dev, SYS_ATTACH_KERNEL_PATH, 0, identity, token);
}

int
capio_attach_kernel_path_unit(int dev, unsigned unit, cap_t identity,
    cap_t *token)
{
	return attach(dev, SYS_ATTACH_KERNEL_PATH, unit, identity, token);
}

uint64_t
capio_slice_offset(const struct capio_slice_desc *s, unsigned unit)
{
	return s->offset + (uint64_t)unit * s->unit_stride;
}

const struct capio_region_desc *
capio_region(const struct capio_desc *d, const char *name)
{
	for (unsigned i = 0; i < d->nregions && i < CAPIO_DESC_REGIONS; i++)
		if (name_is(d->regions[i].name, name))
			return &d->regions[i];
	return NULL;
}

int
capio_map(int dev, cap_t token, const struct capio_desc *d,
    const char *region, bool read_only, struct capio_grant *g)
{
	struct sysargs a = { .c = { token } };
	struct sysret r;
	const struct capio_region_desc *rd;
	int64_t rc;

	memset(g, 0, sizeof *g);
	if ((rd = capio_region(d, region)) == NULL)
		return -EINVAL;
	a.x[0] = (uint64_t)dev;
	a.x[1] = (uint64_t)(rd - d->regions);	/* its index in our copy */
	a.x[2] = rd->size;
	a.x[3] = read_only ? CAP_PERM_LOAD : CAP_PERM_LOAD | CAP_PERM_STORE;
	if ((rc = call(SYS_MAP, &a, &r)) != 0)
		return (int)rc;
	g->region = *rd;
	g->va = r.x[0];
	g->unit = (unsigned)r.x[1];
	g->ncaps = r.ncaps;
	for (unsigned i = 0; i < r.ncaps; i++)
		g->caps[i] = r.c[i];
	return 0;
}

cap_t
capio_slice(const struct capio_grant *g, const char *name)
{
	for (unsigned i = 0; i < g->region.nslices && i < g->ncaps &&
	    i < CAPIO_DESC_SLICES; i++)
		if (name_is(g->region.slices[i].name, name))
			return g->caps[i];
	return cap_null();
}

int
capio_info(int dev, cap_t token, uint64_t info[8])
{
	struct sysargs a = { .x = { (uint64_t)dev }, .c = { token } };
	struct sysret r;
	int64_t rc = call(SYS_INFO, &a, &r);

	if (rc == 0)
		memcpy(info, r.x, sizeof r.x);
	return (int)rc;
}

int
capio_goodbye(int dev, cap_t token)
{
	struct sysargs a = { .x = { (uint64_t)dev }, .c = { token } };
	struct sysret r;

	return (int)call(SYS_GOODBYE, &a, &r);
}

const char *
capio_strerror(int err)
{
	switch (-err) {
	case 0: return "success";
	case EPERM: return "EPERM";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case ENODEV: return "ENODEV";
	case EEXIST: return "EEXIST";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EAGAIN: return "EAGAIN";
	case E2BIG: return "E2BIG";
	case ENOSYS: return "ENOSYS";
	case EMFILE: return "EMFILE";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EIO: return "EIO";
	case ETIMEDOUT: return "ETIMEDOUT";
	default: return "error";
	}
}

int
sys_mmap(uint64_t len, cap_t *out)
{
	struct sysargs a = { .x = { len } };
	struct sysret r;
	int64_t rc = call(SYS_MMAP, &a, &r);

	if (rc == 0)
		*out = r.c[0];
	return (int)rc;
}

void
sys_exit(int status)
{
	struct sysargs a = { .x = { (uint64_t)(int64_t)status } };
	struct sysret r;

	call(SYS_EXIT, &a, &r);
	abort();	/* exit returns only outside a process */
}

void
sys_yield(void)
{
	struct sysargs a = { 0 };
	struct sysret r;

	call(SYS_YIELD, &a, &r);
}

int
sys_getpid(void)
{
	struct sysargs a = { 0 };
	struct sysret r;

	return (int)call(SYS_GETPID, &a, &r);
}

int64_t
sys_send(int dev, cap_t token, cap_t frame, uint64_t len)
{
	struct sysargs a = { .x = { (uint64_t)dev, len }, .c = { token, frame } };
	struct sysret r;

	return call(SYS_SEND, &a, &r);
}

int64_t
sys_recv(int dev, cap_t token, cap_t buf, uint64_t max, uint64_t *framelen)
{
	struct sysargs a = { .x = { (uint64_t)dev, max }, .c = { token, buf } };
	struct sysret r;
	int64_t rc = call(SYS_RECV, &a, &r);

	if (rc >= 0 && framelen != NULL)
		*framelen = r.x[0];
	return rc;
}

static int64_t
blk_rw(enum sysno nr, int dev, cap_t token, uint64_t slba, uint64_t nlb,
    cap_t buf)
{
	struct sysargs a = { .x = { (uint64_t)dev, slba, nlb },
	    .c = { token, buf } };
	struct sysret r;

	return call(nr, &a, &r);
}

int64_t
sys_blk_read(int dev, cap_t token, uint64_t slba, uint64_t nlb, cap_t buf)
{
	return blk_rw(SYS_BLK_READ, dev, token, slba, nlb, buf);
}

int64_t
sys_blk_write(int dev, cap_t token, uint64_t slba, uint64_t nlb, cap_t buf)
{
	return blk_rw(SYS_BLK_WRITE, dev, token, slba, nlb, buf);
}

int64_t
sys_blk_flush(int dev, cap_t token)
{
	struct sysargs a = { .x = { (uint64_t)dev }, .c = { token } };
	struct sysret r;

	return call(SYS_BLK_FLUSH, &a, &r);
}

int64_t
sys_blk_submit(int dev, cap_t token, cap_t recs, unsigned n)
{
	struct sysargs a = { .x = { (uint64_t)dev, n }, .c = { token, recs } };
	struct sysret r;

	return call(SYS_BLK_SUBMIT, &a, &r);
}

void
blk_req_put(cap_t recs, unsigned i, uint32_t op, uint64_t slba, uint32_t nlb,
    cap_t buf)
{
	int64_t off = (int64_t)i * BLK_REQ_SIZE;

	stcap(recs, off + BLK_REQ_BUF, buf);
	st64(recs, off + BLK_REQ_SLBA, slba);
	st32(recs, off + BLK_REQ_NLB, nlb);
	st32(recs, off + BLK_REQ_OP, op);
}

int64_t
blk_req_result(cap_t recs, unsigned i)
{
	return (int64_t)ld64(recs, (int64_t)i * BLK_REQ_SIZE + BLK_REQ_RESULT);
}

int
capio_open_unit(int dev, unsigned unit, const char *const *regions,
    unsigned n, cap_t *token, struct capio_grant *g, uint64_t info[8])
{
	struct capio_desc desc;
	cap_t identity;
	int err;

	if ((err = sys_mmap(4096, &identity)) != 0 ||
	    (err = capio_describe(dev, identity, &desc)) != 0 ||
	    (err = capio_attach_unit(dev, unit, identity, token)) != 0)
		return err;
	for (unsigned i = 0; i < n; i++)
		if ((err = capio_map(dev, *token, &desc, regions[i], false,
		    &g[i])) != 0)
			return err;
	return capio_info(dev, *token, info);
}
