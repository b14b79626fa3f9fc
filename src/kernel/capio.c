/*
 * capio.c — the CAPIO framework proper: attach with sealed tokens, the
 * token check on every privileged request, the slicer, and revocation.
 * Device-agnostic: what a device shares comes from its manifest, how it
 * is programmed from its stub (struct capio_driver). What a process
 * claims is a unit of a device (the NIC's only unit; a queue pair of a
 * controller): owner, token, maps and revocation are per unit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "abi/manifest.h"
#include "kernel/kernel_priv.h"
#include "machine/access.h"
#include "machine/aspace.h"

/* What a capability to device memory may never carry. */
#define DEVICE_FORBIDDEN (CAP_PERM_LOAD_CAP | CAP_PERM_STORE_CAP | \
	CAP_PERM_STORE_LOCAL_CAP | CAP_PERM_EXECUTE | CAP_PERM_SEAL | \
	CAP_PERM_UNSEAL | CAP_PERM_SYSTEM | CAP_PERM_EXECUTIVE | \
	CAP_PERM_BRANCH_SEALED_PAIR | CAP_PERM_COMPARTMENT_ID | \
	CAP_PERM_MUTABLE_LOAD)

/* Whether SYS_DESCRIBE can say all of m: names and counts fit. */
static bool
describable(const struct manifest *m)
{
	if (strlen(m->device) >= CAPIO_DESC_NAME_MAX ||
	    m->nregions > CAPIO_DESC_REGIONS)
		return false;
	for (size_t i = 0; i < m->nregions; i++) {
		const struct region *rg = &m->regions[i];

		if (strlen(rg->name) >= CAPIO_DESC_NAME_MAX ||
		    rg->nslices > CAPIO_DESC_SLICES)
			return false;
		for (size_t j = 0; j < rg->nslices; j++)
			if (strlen(rg->slices[j].name) >= CAPIO_DESC_NAME_MAX ||
			    rg->slices[j].unit_stride > UINT32_MAX)
				return false;
	}
	return true;
}

int
capio_register(struct kernel *k, int i, const char *name,
    const struct manifest *m, unsigned nunits,
    const struct capio_driver *drv, void *stub, char *err, size_t errlen)
{
	struct capio_dev *d = &k->dev[i];
	char why[200];

	if (i < 0 || i >= CAPIO_MAX_DEVS) {
		snprintf(err, errlen, "%s: no room for another device", name);
		return -1;
	}
	if (nunits == 0 || nunits > CAPIO_MAX_UNITS) {
		snprintf(err, errlen, "%s: %u units (1..%u)", name, nunits,
		    CAPIO_MAX_UNITS);
		return -1;
	}
	if (manifest_validate_units(m, nunits, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s: manifest refused: %s", name, why);
		return -1;
	}
	if (m->nregions > CAPIO_MAX_REGIONS) {
		snprintf(err, errlen, "%s: too many regions", name);
		return -1;
	}
	if (!describable(m)) {
		snprintf(err, errlen, "%s: manifest does not fit its description "
		    "(abi/manifest.h)", name);
		return -1;
	}
	if (drv->region_pa == NULL || drv->attach == NULL ||
	    drv->detach == NULL || drv->info == NULL ||
	    (drv->send == NULL) != (drv->recv == NULL) ||
	    ((drv->send != NULL || drv->blk != NULL) && drv->flush == NULL)) {
		snprintf(err, errlen, "%s: driver operations missing", name);
		return -1;
	}
	memset(d->unit, 0, sizeof d->unit);
	/* Each unit's sealing key: one object type, Seal and Unseal. The
	 * type names the unit, so a token is good for its own unit only,
	 * even when one process presents one identity for two units. */
	for (unsigned u = 0; u < nunits; u++) {
		struct capio_unit *un = &d->unit[u];

		un->key = cheri_bounds_set_exact(cheri_address_set(k->seal_root,
		    CAPIO_OTYPE_BASE + (uint64_t)u * CAPIO_MAX_DEVS +
		    (uint64_t)i), 1);
		un->identity = cap_null();
		if (!un->key.tag) {
			snprintf(err, errlen, "%s: no sealing type", name);
			return -1;
		}
	}
	d->m = m;
	d->drv = drv;
	d->stub = stub;
	d->nunits = nunits;
	return 0;
}

bool
capio_kernel_owned(const struct kernel *k, int dev, unsigned unit)
{
	const struct capio_dev *d = &k->dev[dev];

	return unit >= d->nunits || d->unit[unit].owner == NULL;
}

static struct capio_dev *
device(struct kernel *k, uint64_t dev)
{
	if (dev >= (uint64_t)k->nnics || k->dev[dev].m == NULL)
		return NULL;
	return &k->dev[dev];
}

/*
 * One holder per unit at a time, in either mode: a user-level driver (the
 * unit's regions are the holder's to map) or the kernel-mediated path
 * (the kernel keeps driving the unit, for the holder's send and recv
 * only). Other units of the device are other holders' business.
 */
int64_t
capio_do_attach(struct kernel *k, struct proc *p, uint64_t devno,
    uint64_t flags, uint64_t unitno, cap_t identity, struct sysret *r)
{
	struct capio_dev *d = device(k, devno);
	bool kpath = (flags & SYS_ATTACH_KERNEL_PATH) != 0;
	struct capio_unit *u;
	cap_t token;
	int err;

	if (d == NULL || unitno >= d->nunits)
		return -ENODEV;
	if (flags & ~(uint64_t)SYS_ATTACH_KERNEL_PATH)
		return -EINVAL;
	if (kpath && d->drv->send == NULL && d->drv->blk == NULL)
		return -EOPNOTSUPP;
	u = &d->unit[unitno];
	if (u->owner != NULL) {
		u->refusals++;
		return -EBUSY;
	}
	/* An identity must be a real, unsealed capability of the caller's. */
	if (!cheri_tag_get(identity) || cheri_is_sealed(identity))
		return -EINVAL;
	if (p->ndevs >= k->opts.proc_devs_max) {
		k->stats.limit_refusals++;
		return -EMFILE;
	}
	token = cheri_seal(identity, u->key);
	if (!token.tag)
		return -EINVAL;
	/* The owner's regions were set aside at boot: this cannot run out
	 * of memory however much others have taken. */
	if (!kpath && (err = d->drv->attach(d->stub, (unsigned)unitno)) != 0)
		return err;
	if (kpath && d->drv->kpath_attach != NULL &&
	    (err = d->drv->kpath_attach(d->stub, (unsigned)unitno)) != 0)
		return err;
	u->owner = p;
	u->kernel_path = kpath;
	u->identity = identity;
	memset(u->maps, 0, sizeof u->maps);
	u->attaches++;
	p->ndevs++;
	r->c[0] = token;
	r->ncaps = 1;
	return 0;
}

/*
 * The unit the token names: its type is one of this device's unit types
 * (arithmetic, no search). Then unseal with that unit's key and compare
 * exactly with what was sealed. The unit, or NULL and -EPERM.
 */
static struct capio_unit *
check_token(struct capio_dev *d, uint64_t devno, struct proc *p, cap_t token,
    int *err)
{
	struct capio_unit *u;
	uint64_t t, unit;
	cap_t id;

	*err = -EPERM;
	t = cheri_type_get(token);
	if (!cheri_tag_get(token) || !cheri_is_sealed(token) ||
	    t < CAPIO_OTYPE_BASE || t >= CAPIO_OTYPE_END ||
	    (t - CAPIO_OTYPE_BASE) % CAPIO_MAX_DEVS != devno ||
	    (unit = (t - CAPIO_OTYPE_BASE) / CAPIO_MAX_DEVS) >= d->nunits) {
		d->refusals++;
		return NULL;
	}
	u = &d->unit[unit];
	if (u->owner == NULL) {
		u->refusals++;
		return NULL;
	}
	id = cheri_unseal(token, u->key);
	if (!cheri_is_equal_exact(id, u->identity) || u->owner != p) {
		u->refusals++;
		return NULL;
	}
	*err = 0;
	return u;
}

/* A capability for [va, va+len) with perms, derived from the user root. */
static cap_t
grant(struct kernel *k, uint64_t va, uint64_t len, uint32_t perms)
{
	cap_t c = cheri_bounds_set_exact(cheri_address_set(k->user_root, va), len);

	return cheri_perms_and(c, perms | CAP_PERM_GLOBAL);
}

/*
 * A DMA region is mapped whole. Of a register region only the pages that
 * hold slices are mapped (with the device attribute: strongly ordered,
 * uncached, no capabilities): the rest of the BAR is not even in the
 * page tables. The capabilities then do the byte-grained work.
 */
static int
map_pages(struct proc *p, const struct region *rg, unsigned unit, uint64_t va,
    uint64_t pa)
{
	int err;

	if (rg->kind == REGION_DMA)
		return aspace_map(p->as, va, pa, rg->size, MMU_READ | MMU_WRITE);
	for (size_t i = 0; i < rg->nslices; i++) {
		const struct slice *s = &rg->slices[i];
		uint64_t off0 = slice_offset(s, unit);
		uint64_t first = off0 & ~MMU_PAGE_MASK;
		uint64_t end = (off0 + s->length + MMU_PAGE_MASK) & ~MMU_PAGE_MASK;

		for (uint64_t off = first; off < end; off += MMU_PAGE_SIZE) {
			uint64_t mpa;
			unsigned prot;

			if (aspace_translate(p->as, va + off, &mpa, &prot) == 0)
				continue;	/* a slice before shares the page */
			err = aspace_map(p->as, va + off, pa + off, MMU_PAGE_SIZE,
			    MMU_READ | MMU_WRITE | MMU_DEVICE);
			if (err != 0) {
				aspace_unmap(p->as, va, rg->size);
				return err;
			}
		}
	}
	return 0;
}

int64_t
capio_do_map(struct kernel *k, struct proc *p, const struct sysargs *a,
    struct sysret *r)
{
	struct capio_dev *d = device(k, a->x[0]);
	const struct region *rg;
	struct capio_unit *u;
	uint64_t ri = a->x[1], size = a->x[2], align, va, pa;
	uint32_t want = (uint32_t)a->x[3];
	unsigned unit;
	int err;

	if (d == NULL)
		return -ENODEV;
	if ((u = check_token(d, a->x[0], p, a->c[0], &err)) == NULL)
		return err;
	unit = (unsigned)(u - d->unit);
	/* A kernel-path claim grants no device memory. */
	if (u->kernel_path) {
		u->refusals++;
		return -EPERM;
	}
	if (ri >= d->m->nregions)
		return -EINVAL;
	rg = &d->m->regions[ri];
	if (size != rg->size)
		return -EINVAL;
	/* Device memory never holds capabilities, nor runs code. */
	if (want & DEVICE_FORBIDDEN)
		return -EPERM;
	if (u->maps[ri].mapped)
		return -EEXIST;
	if (rg->kind == REGION_MMIO && rg->nslices > SYS_MAXCAPS)
		return -E2BIG;
	if (!proc_may_map(p))
		return -ENOMEM;
	align = ~cheri_representable_alignment_mask(rg->size) + 1;
	if (align < MMU_PAGE_SIZE)
		align = MMU_PAGE_SIZE;
	if ((va = proc_va_alloc_dev(p, rg->size, align)) == 0)
		return -ENOMEM;
	pa = d->drv->region_pa(d->stub, unit, (unsigned)ri);
	if ((err = map_pages(p, rg, unit, va, pa)) != 0)
		return err;
	u->maps[ri] = (struct capio_map){ true, va, rg->size };
	p->ndevmaps++;

	want &= CAP_PERM_LOAD | CAP_PERM_STORE;
	if (rg->kind == REGION_DMA) {
		r->c[0] = grant(k, va, rg->size, want);
		r->ncaps = 1;
	} else {
		for (size_t i = 0; i < rg->nslices; i++) {
			const struct slice *s = &rg->slices[i];
			uint64_t off = slice_offset(s, unit);
			uint32_t perms = want & (s->access == SLICE_RW ?
			    CAP_PERM_LOAD | CAP_PERM_STORE : CAP_PERM_LOAD);

			if (k->opts.arm == ARM_PAGE) {
				/* The page around the slice, read-write: what
				 * a page-granular mapping hands out. On a
				 * doorbell page that units share, every unit's
				 * doorbells. */
				uint64_t page = off & ~MMU_PAGE_MASK;
				r->c[i] = cheri_address_set(grant(k, va + page,
				    MMU_PAGE_SIZE, want), va + off);
			} else
				r->c[i] = grant(k, va + off, s->length, perms);
		}
		r->ncaps = (unsigned)rg->nslices;
	}
	r->x[0] = va;
	r->x[1] = unit;
	return 0;
}

int64_t
capio_do_info(struct kernel *k, struct proc *p, uint64_t devno, cap_t token,
    struct sysret *r)
{
	struct capio_dev *d = device(k, devno);
	struct capio_unit *u;
	int err;

	if (d == NULL)
		return -ENODEV;
	if ((u = check_token(d, devno, p, token, &err)) == NULL)
		return err;
	d->drv->info(d->stub, (unsigned)(u - d->unit), r);
	return 0;
}

/*
 * Built whole in zeroed memory (no kernel bytes in the padding), then
 * written with the checked copyout through the caller's own capability:
 * a buffer it cannot store to is its EFAULT, and nothing is written.
 */
int64_t
capio_do_describe(struct kernel *k, struct proc *p, uint64_t devno,
    uint64_t buflen, cap_t buf)
{
	struct capio_dev *d = device(k, devno);
	struct capio_desc desc;
	struct fault f;

	if (d == NULL)
		return -ENODEV;
	if (buflen < sizeof desc)
		return -EINVAL;
	memset(&desc, 0, sizeof desc);
	/* Sizes were checked at registration (describable). */
	strcpy(desc.device, d->m->device);
	desc.nregions = (uint32_t)d->m->nregions;
	desc.nunits = d->nunits;
	for (size_t i = 0; i < d->m->nregions; i++) {
		const struct region *rg = &d->m->regions[i];
		struct capio_region_desc *rd = &desc.regions[i];

		strcpy(rd->name, rg->name);
		rd->kind = rg->kind == REGION_MMIO ? CAPIO_REGION_MMIO :
		    CAPIO_REGION_DMA;
		rd->nslices = (uint32_t)rg->nslices;
		rd->size = rg->size;
		for (size_t j = 0; j < rg->nslices; j++) {
			const struct slice *s = &rg->slices[j];
			struct capio_slice_desc *sd = &rd->slices[j];

			strcpy(sd->name, s->name);
			sd->offset = s->offset;
			sd->length = s->length;
			sd->access = s->access == SLICE_RW ? CAPIO_SLICE_RW :
			    CAPIO_SLICE_RO;
			sd->unit_stride = (uint32_t)s->unit_stride;
		}
	}
	if (access_copyout(p->as, buf, 0, &desc, sizeof desc, &f) != 0)
		return -EFAULT;
	return 0;
}

/*
 * Revocation of one unit: unmap its regions from its owner (the TLB
 * forgets, the emptied page tables are freed), quiesce it, zero, forget
 * the owner. A kernel-path claim has nothing mapped: the frames it left
 * unreceived are dropped. The device's other units are untouched.
 */
static void
revoke(struct kernel *k, struct capio_dev *d, struct capio_unit *u)
{
	struct proc *p = u->owner;
	unsigned unit = (unsigned)(u - d->unit);

	if (k->revoke_hook != NULL)
		k->revoke_hook(k->revoke_arg, (int)(d - k->dev), p->pid);

	for (unsigned i = 0; i < CAPIO_MAX_REGIONS; i++) {
		if (!u->maps[i].mapped)
			continue;
		if (p->as != NULL)
			aspace_unmap(p->as, u->maps[i].va, u->maps[i].len);
		u->maps[i].mapped = false;
		p->ndevmaps--;
	}
	if (u->kernel_path)
		d->drv->flush(d->stub, unit);
	else
		d->drv->detach(d->stub, unit);
	p->ndevs--;
	u->owner = NULL;
	u->kernel_path = false;
	u->identity = cap_null();
}

int64_t
capio_do_goodbye(struct kernel *k, struct proc *p, uint64_t devno, cap_t token)
{
	struct capio_dev *d = device(k, devno);
	struct capio_unit *u;
	int err;

	if (d == NULL)
		return -ENODEV;
	if ((u = check_token(d, devno, p, token, &err)) == NULL)
		return err;
	revoke(k, d, u);
	return 0;
}

/*
 * The kernel-mediated path is the claim's: the caller's token (checked as
 * for map), for a claim made in kernel-path mode. A user-level holder's
 * token does not open it: the device is not the kernel's to drive then.
 */
struct capio_unit *
capio_kernel_path_of(struct kernel *k, struct proc *p, const struct sysargs *a,
    struct capio_dev **dp, int *err)
{
	struct capio_dev *d = device(k, a->x[0]);
	struct capio_unit *u;

	if (d == NULL) {
		*err = -ENODEV;
		return NULL;
	}
	if ((u = check_token(d, a->x[0], p, a->c[0], err)) == NULL)
		return NULL;
	if (!u->kernel_path) {
		u->refusals++;
		*err = -EPERM;
		return NULL;
	}
	*dp = d;
	return u;
}

int64_t
capio_do_send(struct kernel *k, struct proc *p, const struct sysargs *a)
{
	struct capio_dev *d;
	struct capio_unit *u;
	int err;

	if ((u = capio_kernel_path_of(k, p, a, &d, &err)) == NULL)
		return err;
	if (d->drv->send == NULL)
		return -EOPNOTSUPP;	/* a block device's claim */
	return d->drv->send(d->stub, (unsigned)(u - d->unit), p, a->c[1],
	    a->x[1]);
}

int64_t
capio_do_recv(struct kernel *k, struct proc *p, const struct sysargs *a,
    struct sysret *r)
{
	struct capio_dev *d;
	struct capio_unit *u;
	int err;

	if ((u = capio_kernel_path_of(k, p, a, &d, &err)) == NULL)
		return err;
	if (d->drv->recv == NULL)
		return -EOPNOTSUPP;
	return d->drv->recv(d->stub, (unsigned)(u - d->unit), p, a->c[1],
	    a->x[1], r);
}

void
capio_release_proc(struct kernel *k, struct proc *p)
{
	for (int i = 0; i < k->nnics; i++)
		for (unsigned u = 0; u < k->dev[i].nunits; u++)
			if (k->dev[i].unit[u].owner == p)
				revoke(k, &k->dev[i], &k->dev[i].unit[u]);
}
