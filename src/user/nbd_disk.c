/*
 * nbd_disk.c — see nbd_disk.h. nbd_conn.c hands READ and WRITE over in
 * pieces inside one NBD_CHUNK of the export; the window starts on a
 * chunk boundary, so the blocks a piece touches are one command of at
 * most a page (the driver's limit).
 */
#include "user/nbd_disk.h"

#include <string.h>

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
nbd_disk_init(struct nbd_disk *k, struct nvdrv *d, uint64_t first_lba,
    uint64_t nblocks)
{
	memset(k, 0, sizeof *k);
	k->d = d;
	k->bs = d->lba_size;
	k->first_lba = first_lba;
	k->nblocks = nblocks;
	if (k->bs == 0 || k->bs > NBD_CHUNK || NBD_CHUNK % k->bs != 0 ||
	    first_lba > d->nblocks || nblocks > d->nblocks - first_lba ||
	    (first_lba * k->bs) % NBD_CHUNK != 0)
		return -1;
	return 0;
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
		return status(k, nvdrv_read(k->d, lba, nlb, buf));
	if (status(k, nvdrv_read(k->d, lba, nlb, k->page)) != 0)
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
		return status(k, nvdrv_write(k->d, lba, nlb, buf));
	/* Part of a block: the rest of it comes from the disk. */
	if ((off % k->bs != 0 || len % k->bs != 0) &&
	    status(k, nvdrv_read(k->d, lba, nlb, k->page)) != 0)
		return NBD_EIO;
	if (buf != NULL)
		memcpy(k->page + off % k->bs, buf, len);
	else
		memset(k->page + off % k->bs, 0, len);
	return status(k, nvdrv_write(k->d, lba, nlb, k->page));
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

	return status(k, nvdrv_flush(k->d));
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

	/* A hint (proto.md): parts of blocks are left as they are. */
	inner(k, off, len, &first, &end);
	if (end <= first)
		return 0;
	return status(k, nvdrv_deallocate(k->d, k->first_lba + first,
	    (uint32_t)(end - first)));
}

static int
d_zero(void *disk, uint64_t off, uint64_t len, bool no_hole)
{
	struct nbd_disk *k = disk;
	uint64_t first, end, pos = off, stop = off + len;

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
