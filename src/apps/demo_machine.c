/*
 * demo_machine.c — `capio demo --machine`: the simulated capability machine in a few
 * steps a newcomer can follow: a region, a 4-byte slice of it, a load
 * through the slice, and a store one word past it that traps without
 * touching memory.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "apps/demo.h"
#include "board/board.h"
#include "machine/cpu.h"

#define RAM	0x80000000ull
#define RAMSZ	0x100000ull
#define VA	0x10000000ull
#define REGION	0x4000ull
#define OFF	0x100ull	/* where the slice starts in the region */

struct proc {
	cap_t slice;
	uint32_t loaded;
	bool stored;		/* set only if the bad store did not trap */
};

/* The "process": it holds only the slice. */
static void
process(void *arg)
{
	struct proc *pr = arg;

	pr->loaded = ld32(pr->slice, 0);
	printf("5. The process loads through the slice: ld32(slice, 0) = "
	    "0x%08" PRIx32 "\n", pr->loaded);
	printf("6. The process stores one word past its slice: "
	    "st32(slice, 4, 0xdeadbeef)\n");
	fflush(stdout);
	st32(pr->slice, 4, 0xdeadbeef);
	pr->stored = true;
}

static void
show_cap(const char *indent, cap_t c)
{
	char b[256];

	fault_format_cap(c, b, sizeof b);
	printf("%s%s\n", indent, b);
}

int
demo_machine(void)
{
	struct board_desc bd = { .ram_base = RAM, .ram_size = RAMSZ,
	    .nics = 0, .wire = "none" };
	struct board *b = NULL;
	struct aspace *as = NULL;
	struct ctx *x = NULL;
	struct proc pr = { .loaded = 0, .stored = false };
	cap_t root, region;
	uint32_t after;
	char line[512];
	int rc = 1;

	printf("capio demo: a simulated Arm Morello capability machine\n\n");
	if ((b = board_new(&bd, line, sizeof line)) == NULL ||
	    (as = aspace_new(board_phys(b))) == NULL ||
	    aspace_map(as, VA, RAM, REGION, MMU_READ | MMU_WRITE) != 0) {
		fprintf(stderr, "capio demo: cannot boot the machine\n");
		goto out;
	}
	printf("1. Boot: 1 MiB of RAM at physical 0x%llx, one tag bit per "
	    "16 bytes.\n   An address space maps 4 pages of it read/write at "
	    "virtual 0x%llx.\n", (unsigned long long)RAM,
	    (unsigned long long)VA);

	root = cap_root();
	region = cheri_bounds_set_exact(cheri_address_set(root, VA), REGION);
	region = cheri_perms_and(region, CAP_PERM_LOAD | CAP_PERM_STORE);
	printf("2. A region capability, derived from the root capability "
	    "(all of memory,\n   all permissions) by narrowing bounds and "
	    "permissions:\n");
	show_cap("     ", region);

	kst32(as, region, OFF, 0x12345678);
	kst32(as, region, OFF + 4, 0xcafef00d);
	printf("3. The kernel stores 0x12345678 at +0x%llx and 0xcafef00d at "
	    "+0x%llx\n   through the region.\n", (unsigned long long)OFF,
	    (unsigned long long)OFF + 4);

	pr.slice = cheri_address_set(region, VA + OFF);
	pr.slice = cheri_bounds_set_exact(pr.slice, 4);
	pr.slice = cheri_perms_and(pr.slice, CAP_PERM_LOAD | CAP_PERM_STORE);
	printf("4. A 4-byte slice at +0x%llx (cheri_bounds_set_exact, then "
	    "cheri_perms_and);\n   it is all a process is given:\n",
	    (unsigned long long)OFF);
	show_cap("     ", pr.slice);
	if (!pr.slice.tag) {
		fprintf(stderr, "capio demo: the slice lost its tag\n");
		goto out;
	}

	if ((x = ctx_new(process, &pr, as)) == NULL) {
		fprintf(stderr, "capio demo: cannot create a context\n");
		goto out;
	}
	if (ctx_run(x) != CTX_FAULTED || pr.stored ||
	    pr.loaded != 0x12345678) {
		fprintf(stderr, "capio demo: the store did not trap (%s)\n",
		    ctx_status_name(ctx_status(x)));
		goto out;
	}
	fault_format(ctx_fault(x), line, sizeof line);
	printf("   -> trap: %s\n", line);
	fault_describe(ctx_fault(x), line, sizeof line);
	printf("      record: %s\n", line);
	printf("   The process's context ended there and its owner got the "
	    "record;\n   the kernel will turn this into killing the "
	    "process.\n");

	after = kld32(as, region, OFF + 4);
	printf("7. Memory at +0x%llx afterwards: 0x%08" PRIx32 " (%s)\n",
	    (unsigned long long)OFF + 4, after,
	    after == 0xcafef00d ? "unchanged" : "CHANGED");
	if (after != 0xcafef00d)
		goto out;
	printf("\ncounters: %" PRIu64 " loads, %" PRIu64 " stores, %" PRIu64
	    " bounds fault(s)\n", aspace_stats(as)->loads,
	    aspace_stats(as)->stores,
	    aspace_stats(as)->faults[FAULT_BOUNDS]);
	rc = 0;
out:
	ctx_free(x);
	aspace_free(as);
	board_free(b);
	return rc;
}
