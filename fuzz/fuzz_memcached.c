/*
 * fuzz_memcached.c — libFuzzer target for the memcached engine. The input
 * (after a first byte that seeds how it is cut) is a request stream, run
 * twice on fresh 4 KiB stores: once fed whole, once fed in random pieces
 * with the output drained in random pieces. The clock moves with the
 * bytes read, so exptimes and delayed flushes run too.
 *
 * Oracles: both runs give the same output bytes and end in the same
 * state; feed never takes more than it was given; items never exceed the
 * memory limit; waiting output stays under MC_OUT_HIGH plus one value.
 * ASan/UBSan catch the rest.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "user/memcached.h"

#define LIMIT	4096
#define OUT_MAX	(MC_OUT_HIGH + MC_ITEM_SIZE_MAX + 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	struct mc_store *s;
	uint8_t *out;
	size_t olen, ocap;
};

/* A unix-like time that moves one second every 32 bytes read. */
static int64_t
clock_of(void *arg)
{
	struct run *r = arg;
	struct mc_stats st;

	if (r->s == NULL)
		return 1700000000;
	mc_store_stats(r->s, &st);
	return 1700000000 + (int64_t)(st.bytes_read / 32);
}

static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void
take(struct run *r, struct mc_conn *c, size_t most)
{
	size_t n;
	const void *o = mc_conn_output(c, &n);

	if (o == NULL)
		return;
	if (n > OUT_MAX)
		abort();
	if (n > most)
		n = most;
	if (r->olen + n > r->ocap) {
		r->ocap = (r->olen + n) * 2;
		if ((r->out = realloc(r->out, r->ocap)) == NULL)
			abort();
	}
	memcpy(r->out + r->olen, o, n);
	r->olen += n;
	mc_conn_consume_output(c, n);
}

static void
run(struct run *r, const uint8_t *p, size_t size, uint32_t seed)
{
	struct mc_conn *c;
	struct mc_stats st;
	uint32_t x = seed | 1;

	memset(r, 0, sizeof *r);
	r->s = NULL;
	if ((r->s = mc_store_new(LIMIT, clock_of, r)) == NULL ||
	    (c = mc_conn_new(r->s)) == NULL)
		abort();
	while (size > 0) {
		size_t k = seed == 0 ? size : 1 + rnd(&x) % 48, took;

		if (k > size)
			k = size;
		took = mc_conn_feed(c, p, k);
		if (took > k)
			abort();
		p += took;
		size -= took;
		if (seed == 0) {
			take(r, c, SIZE_MAX);
			while (mc_conn_output(c, &k) != NULL)
				take(r, c, SIZE_MAX);
		} else
			take(r, c, 1 + rnd(&x) % 4096);
		mc_store_stats(r->s, &st);
		if (st.bytes > LIMIT)
			abort();
	}
	while (mc_conn_output(c, &size) != NULL)
		take(r, c, seed == 0 ? SIZE_MAX : 1 + rnd(&x) % 4096);
	mc_conn_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run a, b;
	struct mc_stats sa, sb;

	if (size < 1)
		return 0;
	run(&a, data + 1, size - 1, 0);
	run(&b, data + 1, size - 1, 0x9e3779b9u * (data[0] + 1u));
	if (a.olen != b.olen || (a.olen != 0 && memcmp(a.out, b.out, a.olen)))
		abort();
	mc_store_stats(a.s, &sa);
	mc_store_stats(b.s, &sb);
	if (sa.curr_items != sb.curr_items || sa.bytes != sb.bytes ||
	    sa.cmd_get != sb.cmd_get || sa.bytes_read != sb.bytes_read)
		abort();
	mc_store_free(a.s);
	mc_store_free(b.s);
	free(a.out);
	free(b.out);
	return 0;
}
