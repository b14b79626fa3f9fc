/*
 * nbd_disk.c — see nbd_disk.h. nbd_conn.c hands READ and WRITE over in
 * pieces inside one NBD_CHUNK of the export; the window starts on a
 * chunk boundary, so the blocks a piece touches are one command of at
 * most a page (the driver's limit).
 */
#include "user/nbd_disk.h"

#include <errno.h>
#include <string.h>

#include "abi/nvme.h"
#include "machine/cpu.h"
#include "user/libcapio.h"
#include "user/nbd_proto.h"
#include "user/nvme_driver.h"

static int
status(struct nbd_disk *k, int rc)
{
	if (rc == 0)
		return 0;
	k->nvme_errors++;
	return NBD_EIO;
}

int
nbd_kpath_open(struct nbd_kpath *kp, int dev, unsigned unit)
{
	uint64_t info[8];
	cap_t id;
	int err;

	memset(kp, 0, sizeof *kp);
	kp->dev = dev;
	if ((err = sys_mmap(4096, &id)) != 0 ||
	    (err = capio_attach_kernel_path_unit(dev, unit, id,
	    &kp->token)) != 0)
		return err;
	if ((err = capio_info(dev, kp->token, info)) != 0 ||
	    (err = sys_mmap(NBD_CHUNK, &kp->buf)) != 0) {
		capio_goodbye(dev, kp->token);
		return err;
	}
	kp->lba_size = (uint32_t)info[NVME_INFO_LBA_SIZE];
	kp->nblocks = info[NVME_INFO_NBLOCKS];
	return 0;
}

int
nbd_kpath_close(struct nbd_kpath *kp)
{
	return capio_goodbye(kp->dev, kp->token);
}

int
nbd_disk_init(struct nbd_disk *k, struct nvdrv *d,
    const struct nbd_kpath *kp, uint64_t first_lba, uint64_t nblocks)
{
	uint64_t all;

	memset(k, 0, sizeof *k);
	k->d = d;
	k->kp = kp;
	k->bs = d != NULL ? d->lba_size : kp->lba_size;
	all = d != NULL ? d->nblocks : kp->nblocks;
	k->first_lba = first_lba;
	k->nblocks = nblocks;
	if (k->bs == 0 || k->bs > NBD_CHUNK || NBD_CHUNK % k->bs != 0 ||
	    first_lba > all || nblocks > all - first_lba ||
	    (first_lba * k->bs) % NBD_CHUNK != 0)
		return -1;
	return 0;
}

/*
 * The block commands, on the driver or through the kernel. A piece is
 * at most NBD_CHUNK bytes (nbd_conn.h), the kernel path's buffer.
 */
static int
b_read(struct nbd_disk *k, uint64_t lba, unsigned nlb, void *buf)
{
	const struct nbd_kpath *kp = k->kp;
	uint64_t n = (uint64_t)nlb * k->bs;

	if (k->d != NULL)
		return nvdrv_read(k->d, lba, nlb, buf);
	if (sys_blk_read(kp->dev, kp->token, lba, nlb, kp->buf) != (int64_t)n)
		return -EIO;
	ldbytes(kp->buf, 0, buf, n);
	return 0;
}

static int
b_write(struct nbd_disk *k, uint64_t lba, unsigned nlb, const void *buf)
{
	const struct nbd_kpath *kp = k->kp;
	uint64_t n = (uint64_t)nlb * k->bs;

	if (k->d != NULL)
		return nvdrv_write(k->d, lba, nlb, buf);
	stbytes(kp->buf, 0, buf, n);
	return sys_blk_write(kp->dev, kp->token, lba, nlb, kp->buf) ==
	    (int64_t)n ? 0 : -EIO;
}

static int
b_flush(struct nbd_disk *k)
{
	if (k->d != NULL)
		return nvdrv_flush(k->d);
	return sys_blk_flush(k->kp->dev, k->kp->token) == 0 ? 0 : -EIO;
}

uint64_t
nbd_disk_size(const struct nbd_disk *k)
{
	return k->nblocks * k->bs;
}

/* The blocks [*lba, *lba + *nlb) of the window that [off, off + len)
 * touches. */
static void
cover(const struct nbd_disk *k, uint64_t off, uint64_t len, uint64_t *lba,
    unsigned *nlb)
{
	uint64_t first = off / k->bs, end = (off + len + k->bs - 1) / k->bs;

	*lba = k->first_lba + first;
	*nlb = (unsigned)(end - first);
}

static int
d_read(void *disk, uint64_t off, void *buf, uint32_t len)
{
	struct nbd_disk *k = disk;
	uint64_t lba;
	unsigned nlb;

	cover(k, off, len, &lba, &nlb);
	if (off % k->bs == 0 && len % k->bs == 0)
		return status(k, b_read(k, lba, nlb, buf));
	if (status(k, b_read(k, lba, nlb, k->page)) != 0)
		return NBD_EIO;
	memcpy(buf, k->page + off % k->bs, len);
	return 0;
}

/* Write [off, off + len) from buf, or zeroes when buf is NULL. */
static int
put(struct nbd_disk *k, uint64_t off, const void *buf, uint32_t len)
{
	uint64_t lba;
	unsigned nlb;

	cover(k, off, len, &lba, &nlb);
	if (buf != NULL && off % k->bs == 0 && len % k->bs == 0)
		return status(k, b_write(k, lba, nlb, buf));
	/* Part of a block: the rest of it comes from the disk. */
	if ((off % k->bs != 0 || len % k->bs != 0) &&
	    status(k, b_read(k, lba, nlb, k->page)) != 0)
		return NBD_EIO;
	if (buf != NULL)
		memcpy(k->page + off % k->bs, buf, len);
	else
		memset(k->page + off % k->bs, 0, len);
	return status(k, b_write(k, lba, nlb, k->page));
}

static int
d_write(void *disk, uint64_t off, const void *buf, uint32_t len)
{
	return put(disk, off, buf, len);
}

static int
d_flush(void *disk)
{
	struct nbd_disk *k = disk;

	return status(k, b_flush(k));
}

/* The whole blocks inside [off, off + len): [*first, *end). */
static void
inner(const struct nbd_disk *k, uint64_t off, uint64_t len, uint64_t *first,
    uint64_t *end)
{
	*first = (off + k->bs - 1) / k->bs;
	*end = (off + len) / k->bs;
}

static int
d_trim(void *disk, uint64_t off, uint64_t len)
{
	struct nbd_disk *k = disk;
	uint64_t first, end;

	/* A hint (proto.md): parts of blocks are left as they are, and
	 * the kernel path, without Dataset Management, leaves it all. */
	inner(k, off, len, &first, &end);
	if (end <= first || k->d == NULL)
		return 0;
	return status(k, nvdrv_deallocate(k->d, k->first_lba + first,
	    (uint32_t)(end - first)));
}

static int
d_zero(void *disk, uint64_t off, uint64_t len, bool no_hole)
{
	struct nbd_disk *k = disk;
	uint64_t first, end, pos = off, stop = off + len;

	/* The kernel path has no Write Zeroes: zero data throughout. */
	if (k->d == NULL)
		no_hole = true;
	inner(k, off, len, &first, &end);
	if (end <= first)	/* inside one or two blocks' edges */
		first = end = stop / k->bs;
	/* The edges, and everything when holes are forbidden: zero data,
	 * one chunk at a time. */
	while (pos < stop) {
		uint64_t edge = (pos / NBD_CHUNK + 1) * NBD_CHUNK;
		uint64_t n = (edge < stop ? edge : stop) - pos;
		int err;

		if (!no_hole && pos == first * k->bs && end > first) {
			/* The whole blocks: Write Zeroes, 64 Ki at a time. */
			for (uint64_t b = first; b < end; ) {
				uint64_t nb = end - b;

				if (nb > NVDRV_ZEROES_MAX)
					nb = NVDRV_ZEROES_MAX;
				if (status(k, nvdrv_write_zeroes(k->d,
				    k->first_lba + b, (unsigned)nb)) != 0)
					return NBD_EIO;
				b += nb;
			}
			pos = end * k->bs;
			continue;
		}
		if (!no_hole && pos < first * k->bs && pos + n > first * k->bs)
			n = first * k->bs - pos;	/* stop at the blocks */
		if ((err = put(k, pos, NULL, (uint32_t)n)) != 0)
			return err;
		pos += n;
	}
	return 0;
}

const struct nbd_disk_ops nbd_disk_ops = {
	d_read, d_write, d_flush, d_trim, d_zero,
};
