/*
 * fuzz_nbd.c — libFuzzer target for the NBD engine (user/nbd_conn.c).
 * The input's first byte seeds how it is cut; the rest is what a client
 * sends, fed in random pieces with the output drained in random pieces,
 * on a 64 KiB RAM export. A fixed prefix (client flags, GO) is fed
 * first when the input's second byte is odd, so requests are reached
 * too.
 *
 * Oracles: the disk is never asked for a byte outside the export, nor a
 * READ/WRITE piece that crosses a chunk; feed never takes more than it
 * was given; waiting output stays under the engine's bound. ASan/UBSan
 * catch the rest.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "user/nbd_conn.h"
#include "user/nbd_proto.h"

#define SIZE	(64u * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t disk[SIZE];

static void
in_bounds(uint64_t off, uint64_t len, uint64_t most)
{
	if (len == 0 || len > most || off > SIZE || len > SIZE - off)
		abort();
}

static int
f_read(void *d, uint64_t off, void *buf, uint32_t len)
{
	(void)d;
	in_bounds(off, len, NBD_CHUNK);
	if (off / NBD_CHUNK != (off + len - 1) / NBD_CHUNK)
		abort();
	memcpy(buf, disk + off, len);
	return off % 7 == 3 ? NBD_EIO : 0;	/* some reads fail */
}

static int
f_write(void *d, uint64_t off, const void *buf, uint32_t len)
{
	(void)d;
	in_bounds(off, len, NBD_CHUNK);
	if (off / NBD_CHUNK != (off + len - 1) / NBD_CHUNK)
		abort();
	memcpy(disk + off, buf, len);
	return 0;
}

static int
f_flush(void *d)
{
	(void)d;
	return 0;
}

static int
f_trim(void *d, uint64_t off, uint64_t len)
{
	(void)d;
	in_bounds(off, len, NBD_ZERO_STEP);
	memset(disk + off, 0, len);
	return 0;
}

static int
f_zero(void *d, uint64_t off, uint64_t len, bool no_hole)
{
	(void)no_hole;
	return f_trim(d, off, len);
}

static const struct nbd_disk_ops ops = {
	f_read, f_write, f_flush, f_trim, f_zero,
};
static const struct nbd_export ex = { "fz", NULL, SIZE, &ops, NULL };

static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void
drain(struct nbd_conn *c, uint32_t *x)
{
	size_t len;

	while (nbd_conn_output(c, &len) != NULL) {
		if (len > nbd_conn_memory_bound())
			abort();
		nbd_conn_consume_output(c, 1 + rnd(x) % len);
		nbd_conn_work(c);
	}
}

static const uint8_t prefix[] = {
	0, 0, 0, 3,					/* client flags */
	'I', 'H', 'A', 'V', 'E', 'O', 'P', 'T', 0, 0, 0, 7, 0, 0, 0, 8,
	0, 0, 0, 2, 'f', 'z', 0, 0,			/* GO "fz", no items */
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nbd_conn *c;
	uint32_t x;
	size_t off = 2;
	int idle = 0;

	if (size < 2)
		return 0;
	x = 0x9E3779B9u ^ data[0];
	if ((c = nbd_conn_new(&ex)) == NULL)
		return 0;
	if (data[1] & 1) {
		if (nbd_conn_feed(c, prefix, sizeof prefix) != sizeof prefix)
			abort();
		drain(c, &x);
	}
	while (off < size && !nbd_conn_dead(c) && !nbd_conn_closing(c) &&
	    idle < 64) {
		size_t n = 1 + rnd(&x) % (size - off), k;

		k = nbd_conn_feed(c, data + off, n);
		if (k > n)
			abort();
		off += k;
		idle = k == 0 ? idle + 1 : 0;
		drain(c, &x);
	}
	nbd_conn_free(c);
	return 0;
}
