/* libcapio.c — see libcapio.h. Thin wrappers over syscall_enter. */
#include "user/libcapio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int64_t
call(enum sysno nr, const struct sysargs *a, struct sysret *r)
{
	return syscall_enter(nr, a, r);
}

static int
attach(int dev, uint64_t flags, cap_t identity, cap_t *token)
{
	struct sysargs a = { .x = { (uint64_t)dev, flags }, .c = { identity } };
	struct sysret r;
	int64_t rc = call(SYS_ATTACH, &a, &r);

	if (rc == 0)
		*token = r.c[0];
	return (int)rc;
}

int
capio_attach(int dev, cap_t identity, cap_t *token)
{
	return attach(dev, 0, identity, token);
}

int
capio_attach_kernel_path(int dev, cap_t identity, cap_t *token)
{
	return attach(dev, SYS_ATTACH_KERNEL_PATH, identity, token);
}

int
capio_map(int dev, cap_t token, const struct manifest *m, const char *region,
    bool read_only, struct capio_grant *g)
{
	struct sysargs a = { .c = { token } };
	struct sysret r;
	const struct region *rg = manifest_region(m, region);
	int64_t rc;

	memset(g, 0, sizeof *g);
	if (rg == NULL)
		return -EINVAL;
	a.x[0] = (uint64_t)dev;
	a.x[1] = (uint64_t)(rg - m->regions);
	a.x[2] = rg->size;
	a.x[3] = read_only ? CAP_PERM_LOAD : CAP_PERM_LOAD | CAP_PERM_STORE;
	if ((rc = call(SYS_MAP, &a, &r)) != 0)
		return (int)rc;
	g->region = rg;
	g->va = r.x[0];
	g->ncaps = r.ncaps;
	for (unsigned i = 0; i < r.ncaps && i < SYS_MAXCAPS; i++)
		g->caps[i] = r.c[i];
	return 0;
}

cap_t
capio_slice(const struct capio_grant *g, const char *name)
{
	if (g->region != NULL)
		for (size_t i = 0; i < g->region->nslices && i < g->ncaps; i++)
			if (strcmp(g->region->slices[i].name, name) == 0)
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
