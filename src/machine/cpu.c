/* cpu.c — see cpu.h: the out-of-line trapping and kernel accessors. */
#include "machine/cpu.h"

#include <stdio.h>
#include <stdlib.h>

void
cpu_no_context(void)
{
	fprintf(stderr, "capio: kernel panic: trapping access outside any "
	    "context\n");
	fflush(stderr);
	ctx_panic_abort();
}

struct aspace *
cpu_aspace_slow(void)
{
	if (atomic_load_explicit(&ctx_watch_flag, memory_order_relaxed))
		ctx_safe_point();
	if (ctx_cur_aspace == NULL)
		cpu_no_context();
	return ctx_cur_aspace;
}

cap_t
ldcap(cap_t c, int64_t off)
{
	struct fault f;
	cap_t v;

	if (access_load_cap(cpu_aspace(), c, off, &v, &f) != 0)
		ctx_trap(&f);
	return v;
}

void
stcap(cap_t c, int64_t off, cap_t v)
{
	struct fault f;

	if (access_store_cap(cpu_aspace(), c, off, v, &f) != 0)
		ctx_trap(&f);
}

void
ldbytes(cap_t c, int64_t off, void *buf, size_t len)
{
	struct fault f;

	if (access_copyin(cpu_aspace(), c, off, buf, len, &f) != 0)
		ctx_trap(&f);
}

void
stbytes(cap_t c, int64_t off, const void *buf, size_t len)
{
	struct fault f;

	if (access_copyout(cpu_aspace(), c, off, buf, len, &f) != 0)
		ctx_trap(&f);
}

