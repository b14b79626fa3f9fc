/*
 * test_revoke.c — revocation with a warm TLB, and the same physical pages
 * for the next owner.
 *
 * Process A attaches NIC 0, maps all five regions, loads and stores
 * through every page of them until its TLB holds them all (checked: a
 * second pass misses nothing), keeps its capabilities and a few narrower
 * ones derived from them, and lets go of the NIC: by goodbye, by being
 * killed, by exiting. Process B then attaches NIC 0 and gets the very
 * same physical pages (the kernel reserved them at boot), finds none of
 * A's data there, and writes a secret into every page. Where A is still
 * alive (goodbye), it retries every access through every capability it
 * kept: each load and store must fault on the missing page and have no
 * effect, A must not read the secret, and B must find its pages and its
 * registers as it left them. A second goodbye case holds NIC 1 too: its
 * mappings there must survive the revocation of NIC 0.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "check.h"
#include "board/board.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

#define NDMA		4
#define NREGS		5
#define PAGE		4096u
#define PATTERN_A	0xa5a5a5a500000000ull	/* A's data, | offset */
#define SECRET_B	0x5ec2e7b000000000ull	/* B's secret, | offset */
#define SENTINEL	0x0123456789abcdefull	/* a faulting load's target */
#define EVIL		0xeeeeeeeeeeeeeeeeull	/* what A tries to store */
#define NSUBS		3
#define MAX_ROUNDS	100000

static const char *const dma_names[NDMA] = {
	"tx_ring", "tx_buffers", "rx_ring", "rx_buffers",
};
static const char *const reg_names[NREGS] = {
	"TDT", "RDT", "TDH", "RDH", "STATUS",
};

enum how { BY_GOODBYE, BY_GOODBYE_KEEP_NIC1, BY_KILL, BY_EXIT };
static const char *const how_names[] = {
	"goodbye", "goodbye, NIC 1 kept", "kill", "exit",
};

/* What a process got from attaching a NIC and mapping all of it. */
struct holder {
	cap_t id, token;
	struct capio_grant bar, dma[NDMA];
	int rc;			/* the first call that failed, or 0 */
};

struct scene {
	enum how how;
	int phase;		/* set by the harness, awaited by processes */
	bool a_warm1, a_warm2, a_gone, a_probed, b_ready, b_checked;
	struct holder a, a1, b;	/* a1: A's NIC 1 */
	cap_t sub[NSUBS];	/* narrower capabilities A derived and kept */
	int goodbye_rc;
	uint32_t b_tdt, b_rdt;	/* B's registers before A's probes */
	/* What A's probes saw. */
	unsigned long probes, faults, perm_faults, wrong_cause, leaks, moved;
	unsigned long secrets_read;
	unsigned long a1_ok, a1_bad;
	/* What B saw. */
	unsigned long b_dirty, b_bad, b_regs_changed;
	/* Revocations, as the kernel's hook reports them. */
	int revokes[2], revoked_pid[2];
};

static int
take(int dev, struct holder *h)
{
	struct capio_desc desc;

	if ((h->rc = sys_mmap(PAGE, &h->id)) != 0 ||
	    (h->rc = capio_describe(dev, h->id, &desc)) != 0 ||
	    (h->rc = capio_attach(dev, h->id, &h->token)) != 0 ||
	    (h->rc = capio_map(dev, h->token, &desc, "bar0", false,
	    &h->bar)) != 0)
		return h->rc;
	for (int i = 0; i < NDMA; i++)
		if ((h->rc = capio_map(dev, h->token, &desc,
		    dma_names[i], false, &h->dma[i])) != 0)
			return h->rc;
	return 0;
}

static uint64_t
region_size(const struct holder *h, int i)
{
	return h->dma[i].region.size;
}

/*
 * The words touched in each page: its first and its last, so that every
 * page of every region is in the TLB afterwards.
 */
#define FOR_EACH_WORD(h, i, off)					\
	for (int i = 0; i < NDMA; i++)					\
		for (uint64_t pg_ = 0; pg_ < region_size(h, i); pg_ += PAGE) \
			for (uint64_t off = pg_; off < pg_ + PAGE; off += PAGE - 8)

/* Stores then loads through every page: the TLB holds them all after. */
static unsigned long
touch(struct holder *h, uint64_t pattern, bool store)
{
	unsigned long bad = 0;

	FOR_EACH_WORD(h, i, off) {
		if (store)
			st64(h->dma[i].caps[0], (int64_t)off, pattern | off);
		if (ld64(h->dma[i].caps[0], (int64_t)off) != (pattern | off))
			bad++;
	}
	for (int r = 0; r < NREGS; r++)
		(void)ld32(capio_slice(&h->bar, reg_names[r]), 0);
	return bad;
}

static void
wait_phase(struct scene *s, int phase)
{
	while (s->phase < phase)
		sys_yield();
}

/*
 * One access A retries after revocation: it must fault, with no effect.
 * Through the checked path without the trap, so that A lives to try
 * them all; its last access (a_main) is a trapping one.
 */
static void
probe(struct scene *s, cap_t c, int64_t off, unsigned size)
{
	struct aspace *as = cpu_aspace();
	struct fault f;
	uint64_t v = SENTINEL;

	s->probes += 2;
	if (access_load(as, c, off, size, &v, &f) == 0) {
		s->leaks++;
		if ((v & 0xffffffff00000000ull) == SECRET_B &&
		    s->secrets_read++ == 0)
			fprintf(stderr, "A read B's secret: 0x%016llx\n",
			    (unsigned long long)v);
	} else {
		s->faults++;
		if (f.cause != FAULT_PAGE_UNMAPPED)
			s->wrong_cause++;
		if (v != SENTINEL)
			s->moved++;
	}
	if (access_store(as, c, off, size, EVIL, &f) == 0)
		s->leaks++;
	else {
		s->faults++;
		/* A read-only capability is refused before the MMU. */
		if (!(cheri_perms_get(c) & CAP_PERM_STORE) &&
		    f.cause == FAULT_PERM_STORE)
			s->perm_faults++;
		else if (f.cause != FAULT_PAGE_UNMAPPED)
			s->wrong_cause++;
	}
}

static void
a_main(void *arg)
{
	struct scene *s = arg;
	struct holder *h = &s->a;
	cap_t tx, rx;

	if (take(0, h) != 0)
		return;
	if (s->how == BY_GOODBYE_KEEP_NIC1 && take(1, &s->a1) != 0)
		return;
	tx = h->dma[1].caps[0];
	rx = h->dma[3].caps[0];
	/* Narrower capabilities, kept beside the ones the kernel gave. */
	s->sub[0] = cheri_bounds_set_exact(cheri_offset_set(tx, 0x1000), 0x100);
	s->sub[1] = cheri_perms_and(cheri_bounds_set_exact(
	    cheri_offset_set(rx, 0x2000), 64), CAP_PERM_LOAD);
	s->sub[2] = cheri_bounds_set_exact(capio_slice(&h->bar, "TDT"), 2);
	/* Pass 1 fills the TLB; pass 2 (loads only) must find it warm. */
	if (touch(h, PATTERN_A, true) != 0)
		return;
	if (s->how == BY_GOODBYE_KEEP_NIC1 && touch(&s->a1, PATTERN_A, true))
		return;
	for (int i = 0; i < NSUBS; i++)
		(void)ld16(s->sub[i], 0);
	/* TDT is written back with what it holds: a store that changes
	 * nothing, so that the register page is warm for stores too. */
	st32(capio_slice(&h->bar, "TDT"), 0,
	    ld32(capio_slice(&h->bar, "TDT"), 0));
	s->a_warm1 = true;
	wait_phase(s, 2);
	if (touch(h, PATTERN_A, false) != 0)
		return;
	for (int i = 0; i < NSUBS; i++)
		(void)ld16(s->sub[i], 0);
	s->a_warm2 = true;
	wait_phase(s, 3);
	if (s->how == BY_EXIT)
		sys_exit(0);
	s->goodbye_rc = capio_goodbye(0, h->token);
	s->a_gone = true;
	/* B now owns the pages and has written its secret into them. */
	wait_phase(s, 4);
	FOR_EACH_WORD(h, i, off)
		probe(s, h->dma[i].caps[0], (int64_t)off, 8);
	for (int r = 0; r < NREGS; r++)
		probe(s, capio_slice(&h->bar, reg_names[r]), 0, 4);
	for (int i = 0; i < NSUBS; i++)
		for (int64_t off = 0; off < 2; off++)
			probe(s, s->sub[i], off, 1);
	/* The other NIC's mappings are not touched by this revocation. */
	if (s->how == BY_GOODBYE_KEEP_NIC1) {
		s->a1_bad = touch(&s->a1, PATTERN_A, false);
		s->a1_ok = s->a1_bad == 0;
	}
	s->a_probed = true;
	/* And a real load through a kept sub-capability ends A. */
	(void)ld64(s->sub[0], 0);
	s->leaks++;
}

static void
b_main(void *arg)
{
	struct scene *s = arg;
	struct holder *h = &s->b;

	if (take(0, h) != 0)
		return;
	/* Nothing of A's is left in the pages. */
	FOR_EACH_WORD(h, i, off)
		if (ld64(h->dma[i].caps[0], (int64_t)off) != 0)
			s->b_dirty++;
	s->b_bad = touch(h, SECRET_B, true);
	s->b_tdt = ld32(capio_slice(&h->bar, "TDT"), 0);
	s->b_rdt = ld32(capio_slice(&h->bar, "RDT"), 0);
	s->b_ready = true;
	wait_phase(s, 5);
	/* A's probes changed nothing B can see. */
	s->b_bad += touch(h, SECRET_B, false);
	if (ld32(capio_slice(&h->bar, "TDT"), 0) != s->b_tdt ||
	    ld32(capio_slice(&h->bar, "RDT"), 0) != s->b_rdt)
		s->b_regs_changed++;
	s->b_checked = true;
	capio_goodbye(0, h->token);
}

static void
on_revoke(void *arg, int dev, int pid)
{
	struct scene *s = arg;

	if (dev >= 0 && dev < 2) {
		s->revokes[dev]++;
		s->revoked_pid[dev] = pid;
	}
}

/* Run rounds until *flag is set (or the process it waits for is gone). */
static bool
run_until(struct kernel *k, const bool *flag)
{
	for (int i = 0; i < MAX_ROUNDS && !*flag; i++)
		if (kernel_run(k, 1) == 0)
			break;
	return *flag;
}

/* Every page A touched, with where it maps now (0: nowhere). */
struct pages {
	uint64_t pa[NDMA][E1000E_TX_POOL_SIZE / PAGE];
	uint64_t bar_pa;
};

static unsigned long
translate_all(struct kernel *k, int pid, const struct holder *h,
    struct pages *pg)
{
	unsigned long mapped = 0;
	uint64_t pa;

	memset(pg, 0, sizeof *pg);
	for (int i = 0; i < NDMA; i++)
		for (uint64_t off = 0; off < region_size(h, i); off += PAGE)
			if (kernel_proc_translate(k, pid,
			    h->dma[i].va + off, &pa) == 0) {
				pg->pa[i][off / PAGE] = pa;
				mapped++;
			}
	if (kernel_proc_translate(k, pid, cheri_address_get(
	    capio_slice(&h->bar, "TDT")), &pa) == 0) {
		pg->bar_pa = pa;
		mapped++;
	}
	return mapped;
}

static void
test_revoke(enum how how)
{
	static struct pages pa_a, pa_a_after, pa_b;
	struct kernel_opts o;
	struct kernel_stats st;
	struct proc_info pi;
	struct scene s;
	char err[256];
	struct kernel *k;
	unsigned long pages;
	uint64_t misses;
	int a, b;

	printf("revoke by %s\n", how_names[how]);
	memset(&s, 0, sizeof s);
	s.how = how;
	kernel_opts_default(&o);
	o.host_syscalls = false;
	if ((k = kernel_boot(board_new(NULL, err, sizeof err), &o, err,
	    sizeof err)) == NULL) {
		check_fail(__FILE__, __LINE__, err);
		return;
	}
	kernel_set_revoke_hook(k, on_revoke, &s);
	a = kernel_spawn(k, "A", a_main, &s);
	CHECK(a > 0);

	/* A's TLB is warm: a second pass over every page misses nothing. */
	CHECK(run_until(k, &s.a_warm1));
	misses = test_proc_info(k, a).access.tlb_misses;
	s.phase = 2;
	CHECK(run_until(k, &s.a_warm2));
	pi = test_proc_info(k, a);
	CHECK(misses > 0);
	CHECK_EQ(pi.access.tlb_misses, misses);
	CHECK_EQ(s.a.rc, 0);
	pages = translate_all(k, a, &s.a, &pa_a);
	CHECK_EQ(pages, (E1000E_TX_RING_SIZE + E1000E_TX_POOL_SIZE +
	    E1000E_RX_RING_SIZE + E1000E_RX_POOL_SIZE) / PAGE + 1);

	/* A lets go of NIC 0. */
	switch (how) {
	case BY_KILL:
		CHECK_EQ(kernel_kill(k, a, "the test"), 0);
		break;
	case BY_EXIT:
		s.phase = 3;
		kernel_run(k, 10);
		break;
	default:
		s.phase = 3;
		CHECK(run_until(k, &s.a_gone));
		CHECK_EQ(s.goodbye_rc, 0);
		break;
	}
	CHECK_EQ(s.revokes[0], 1);
	CHECK_EQ(s.revoked_pid[0], a);
	/* None of A's device pages is mapped any more. */
	CHECK_EQ(translate_all(k, a, &s.a, &pa_a_after), 0);
	pi = test_proc_info(k, a);
	if (how == BY_KILL || how == BY_EXIT) {
		CHECK(pi.state == (how == BY_KILL ? PROC_KILLED : PROC_EXITED));
		CHECK(!pi.faulted);
	} else {
		CHECK(pi.state == PROC_RUNNABLE);
		CHECK_EQ(pi.devices, how == BY_GOODBYE_KEEP_NIC1 ? 1 : 0);
		/* The identity page (and NIC 1's five regions) remain. */
		CHECK_EQ(pi.mappings, how == BY_GOODBYE_KEEP_NIC1 ? 7 : 1);
	}

	/* B gets NIC 0 and the same physical pages, clean. */
	b = kernel_spawn(k, "B", b_main, &s);
	CHECK(b > 0);
	CHECK(run_until(k, &s.b_ready));
	CHECK_EQ(s.b.rc, 0);
	CHECK_EQ(translate_all(k, b, &s.b, &pa_b), pages);
	CHECK(memcmp(&pa_a, &pa_b, sizeof pa_a) == 0);
	CHECK_EQ(s.b_dirty, 0);
	CHECK_EQ(s.b_bad, 0);

	if (how == BY_GOODBYE || how == BY_GOODBYE_KEEP_NIC1) {
		/* A retries everything it kept. */
		s.phase = 4;
		CHECK(run_until(k, &s.a_probed));
		CHECK(s.probes > 2000);
		CHECK_EQ(s.faults, s.probes);
		CHECK_EQ(s.leaks, 0);
		CHECK_EQ(s.secrets_read, 0);
		CHECK_EQ(s.wrong_cause, 0);
		CHECK_EQ(s.moved, 0);
		if (how == BY_GOODBYE_KEEP_NIC1) {
			CHECK_EQ(s.a1_ok, 1);
			CHECK_EQ(s.a1_bad, 0);
		}
		kernel_run(k, 10);
		/* Its last load, a trapping one, ended it. */
		pi = test_proc_info(k, a);
		CHECK(pi.state == PROC_KILLED);
		CHECK(pi.faulted);
		CHECK_EQ(pi.fault.cause, FAULT_PAGE_UNMAPPED);
		CHECK_EQ(s.perm_faults, 5);	/* TDH, RDH, STATUS, sub[1] twice */
		CHECK_EQ(pi.access.faults[FAULT_PAGE_UNMAPPED],
		    s.probes - s.perm_faults + 1);
		CHECK_EQ(pi.access.faults[FAULT_PERM_STORE], s.perm_faults);
		CHECK_EQ(s.leaks, 0);
		/* Its end revoked NIC 1, and NIC 0 (B's) was not touched. */
		CHECK_EQ(s.revokes[1], how == BY_GOODBYE_KEEP_NIC1 ? 1 : 0);
		CHECK_EQ(s.revokes[0], 1);
	}
	/* B's pages and registers are as it left them. */
	s.phase = 5;
	CHECK(run_until(k, &s.b_checked));
	CHECK_EQ(s.b_bad, 0);
	CHECK_EQ(s.b_regs_changed, 0);
	kernel_run(k, 10);
	CHECK(test_proc_info(k, b).state == PROC_EXITED);
	CHECK(!test_proc_info(k, b).faulted);
	CHECK_EQ(s.revokes[0], 2);
	CHECK_EQ(s.revoked_pid[0], b);
	kernel_get_stats(k, &st);
	CHECK_EQ(st.procs_killed, (how == BY_EXIT ? 0 : 1));
	kernel_halt(k);
}

int
main(void)
{
	test_revoke(BY_GOODBYE);
	test_revoke(BY_GOODBYE_KEEP_NIC1);
	test_revoke(BY_KILL);
	test_revoke(BY_EXIT);
	return check_done("revoke");
}
