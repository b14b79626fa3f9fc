/*
 * bench_access.c — `capio bench access`: what one checked access costs.
 *
 * A context (what a user process runs on) does 4-byte loads and stores
 * through capabilities with ld32/st32: to RAM, and to a register of a
 * device model. A plain host-pointer load and store give the floor.
 * Each figure is the median over batches of ns per access.
 */
#include <stdio.h>
#include <string.h>

#include "eval/bench.h"
#include "machine/cpu.h"

#define RAM	0x80000000ull
#define BAR	0xf0000000ull
#define VA	0x10000000ull
#define VA_BAR	0x20000000ull
#define REG	0x18		/* the register the MMIO figures use */
#define MAX_BATCHES 40

/* A device with a file of 32-bit registers. */
struct regfile {
	uint32_t r[1024];
};

static uint64_t
reg_read(void *dev, uint64_t off, unsigned size)
{
	struct regfile *d = dev;
	uint64_t v = 0;

	memcpy(&v, (uint8_t *)d->r + off, size);
	return v;
}

static void
reg_write(void *dev, uint64_t off, uint64_t val, unsigned size)
{
	struct regfile *d = dev;

	memcpy((uint8_t *)d->r + off, &val, size);
}

static const struct mmio_ops reg_ops = { reg_read, reg_write, NULL };

enum { RAM_LOAD, RAM_STORE, MMIO_LOAD, MMIO_STORE, RAW_LOAD, RAW_STORE,
	NMEASURES };

static const char *const keys[NMEASURES] = {
	"ram_load_ns", "ram_store_ns", "mmio_load_ns", "mmio_store_ns",
	"raw_load_ns", "raw_store_ns",
};

static const char *const labels[NMEASURES] = {
	"checked load, RAM", "checked store, RAM", "checked load, MMIO",
	"checked store, MMIO", "host-pointer load", "host-pointer store",
};

struct run {
	uint64_t per_batch;
	unsigned batches;
	cap_t ram, reg;
	volatile uint32_t *raw;
	double ns[NMEASURES][MAX_BATCHES];
	double median[NMEASURES];
	uint64_t sink;
};

/* Keep the compiler from hoisting the checks out of the loop: each
 * iteration sees a capability it must check again. */
#define OPAQUE(c)	__asm__ volatile("" : "+r"((c).cursor))

static double
batch(struct run *r, int m)
{
	uint64_t n = r->per_batch, sum = 0, t0, t1;
	cap_t c = (m == MMIO_LOAD || m == MMIO_STORE) ? r->reg : r->ram;
	volatile uint32_t *raw = r->raw;

	t0 = bench_now_ns();
	switch (m) {
	case RAM_LOAD:
		for (uint64_t i = 0; i < n; i++) {
			OPAQUE(c);
			sum += ld32(c, (int64_t)((i * 4) & 0xffc));
		}
		break;
	case RAM_STORE:
		for (uint64_t i = 0; i < n; i++) {
			OPAQUE(c);
			st32(c, (int64_t)((i * 4) & 0xffc), (uint32_t)i);
		}
		break;
	case MMIO_LOAD:
		for (uint64_t i = 0; i < n; i++) {
			OPAQUE(c);
			sum += ld32(c, 0);
		}
		break;
	case MMIO_STORE:
		for (uint64_t i = 0; i < n; i++) {
			OPAQUE(c);
			st32(c, 0, (uint32_t)i);
		}
		break;
	case RAW_LOAD:
		for (uint64_t i = 0; i < n; i++)
			sum += raw[i & 1023];
		break;
	case RAW_STORE:
		for (uint64_t i = 0; i < n; i++)
			raw[i & 1023] = (uint32_t)i;
		break;
	}
	t1 = bench_now_ns();
	r->sink += sum;
	return (double)(t1 - t0) / (double)n;
}

/* Runs as a context, as a user process would. */
static void
body(void *arg)
{
	struct run *r = arg;

	for (int m = 0; m < NMEASURES; m++)
		(void)batch(r, m);		/* warm-up */
	/* Round robin, so that noise spreads over every figure. */
	for (unsigned b = 0; b < r->batches; b++)
		for (int m = 0; m < NMEASURES; m++)
			r->ns[m][b] = batch(r, m);
}

static cap_t
slice(uint64_t va, uint64_t len)
{
	cap_t c = cheri_bounds_set_exact(cheri_address_set(cap_root(), va),
	    len);

	return cheri_perms_and(c, CAP_PERM_LOAD | CAP_PERM_STORE);
}

int
bench_access_run(uint64_t iters, bool json)
{
	static struct run r;
	static struct regfile dev;
	static uint32_t rawbuf[1024];
	uint64_t expect;
	struct phys *p = NULL;
	struct aspace *as = NULL;
	struct ctx *x = NULL;
	int rc = 1;

	r.batches = iters < MAX_BATCHES ? (unsigned)iters : MAX_BATCHES;
	r.per_batch = iters / r.batches;

	if ((p = phys_new()) == NULL || phys_add_ram(p, RAM, 0x1000) != 0 ||
	    phys_add_mmio(p, BAR, 0x1000, "bench0 BAR0", &reg_ops, &dev) != 0 ||
	    (as = aspace_new(p)) == NULL ||
	    aspace_map(as, VA, RAM, 0x1000, MMU_READ | MMU_WRITE) != 0 ||
	    aspace_map(as, VA_BAR, BAR, 0x1000, MMU_READ | MMU_WRITE) != 0) {
		fprintf(stderr, "capio: cannot build the bench machine\n");
		goto out;
	}
	r.ram = slice(VA, 0x1000);
	r.reg = slice(VA_BAR + REG, 4);
	r.raw = rawbuf;
	if ((x = ctx_new(body, &r, as)) == NULL) {
		fprintf(stderr, "capio: cannot create a context\n");
		goto out;
	}
	if (ctx_run(x) != CTX_DONE) {
		char line[512];
		if (ctx_status(x) == CTX_FAULTED)
			fault_describe(ctx_fault(x), line, sizeof line);
		else
			snprintf(line, sizeof line, "context %s",
			    ctx_status_name(ctx_status(x)));
		fprintf(stderr, "capio: bench access: %s\n", line);
		goto out;
	}
	/* The checked figures must have gone through the checked path. */
	expect = (uint64_t)(r.batches + 1) * r.per_batch;
	if (aspace_stats(as)->loads != 2 * expect ||
	    aspace_stats(as)->stores != 2 * expect ||
	    aspace_stats(as)->mmio_writes != expect) {
		fprintf(stderr,
		    "capio: bench access: access counters disagree\n");
		goto out;
	}
	for (int m = 0; m < NMEASURES; m++)
		r.median[m] = bench_median(r.ns[m], r.batches);

	if (json) {
		printf("{");
		for (int m = 0; m < NMEASURES; m++)
			printf("\"%s\":%.3f,", keys[m], r.median[m]);
		printf("\"iterations\":%llu,\"batches\":%u}\n",
		    (unsigned long long)(r.per_batch * r.batches), r.batches);
	} else {
		printf("capio bench access: 4-byte accesses, median of %u "
		    "batches of %llu\n\n", r.batches,
		    (unsigned long long)r.per_batch);
		printf("  %-22s %8s\n", "access", "ns");
		for (int m = 0; m < NMEASURES; m++)
			printf("  %-22s %8.2f\n", labels[m], r.median[m]);
	}
	rc = 0;
out:
	ctx_free(x);
	aspace_free(as);
	phys_free(p);
	return rc;
}
