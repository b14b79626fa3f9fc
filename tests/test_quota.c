/*
 * test_quota.c — what one process may take from the kernel: its share of
 * RAM, devices and mappings (each limit refused with its documented
 * errno, the others unaffected, the accounting back where it started
 * once it ends); the NICs' regions set aside at boot, so that no flood
 * makes an attach fail; page tables freed on unmap, so that an
 * attach/map/goodbye loop holds no more host memory after 10,000 cycles
 * than after one; and device addresses running out as a clean ENOMEM.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "check.h"
#include "board/board.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

#define MiB	(1ull << 20)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN	1
#endif
#endif

static const char *const regions[] = {
	"bar0", "tx_ring", "rx_ring", "tx_buffers", "rx_buffers",
};

/* Attach DEV and map all its regions: 0 or the first -errno. */
static int
attach_map(int dev, cap_t id, cap_t *t)
{
	struct capio_grant g;
	struct capio_desc desc;
	int rc;

	/* The identity page doubles as the description's buffer. */
	if ((rc = capio_describe(dev, id, &desc)) != 0 ||
	    (rc = capio_attach(dev, id, t)) != 0)
		return rc;
	for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
		if ((rc = capio_map(dev, *t, &desc, regions[i], false,
		    &g)) != 0)
			return rc;
	return 0;
}

/* --- RAM ----------------------------------------------------------------- */

struct hog {
	uint64_t took;
	int rc, big;
	bool full;
};

/* mmaps 1 MiB at a time until refused, then holds it all. */
static void
hog_main(void *arg)
{
	struct hog *h = arg;
	cap_t m;

	h->big = sys_mmap(1ull << 30, &m);	/* more than its share at once */
	while ((h->rc = sys_mmap(MiB, &m)) == 0)
		h->took += MiB;
	h->full = true;
	for (;;)
		sys_yield();
}

struct later {
	int mmap_rc, attach_rc;
};

static void
later_main(void *arg)
{
	struct later *l = arg;
	cap_t m, id, t;

	l->mmap_rc = sys_mmap(4 * MiB, &m);
	if ((l->attach_rc = sys_mmap(4096, &id)) == 0)
		l->attach_rc = attach_map(1, id, &t);
}

static void
test_ram(void)
{
	struct kernel *k = test_boot(NULL);
	struct hog h[4];
	struct later l = { 1, 1 };
	struct kernel_stats st;
	uint64_t free0;
	int pid[4];

	kernel_run(k, 1);
	free0 = kernel_free_pages(k);
	/* Four hogs take a quarter of RAM each: the whole machine. */
	memset(h, 0, sizeof h);
	for (int i = 0; i < 4; i++)
		pid[i] = kernel_spawn(k, "hog", hog_main, &h[i]);
	kernel_run(k, 4);
	CHECK(h[0].full);
	CHECK_EQ(h[0].rc, -ENOMEM);
	CHECK_EQ(h[0].big, -ENOMEM);
	CHECK_EQ(h[0].took, 64 * MiB);		/* a quarter of 256 MiB */
	CHECK_EQ(test_proc_info(k, pid[0]).mem_bytes, 64 * MiB);
	CHECK_EQ(test_proc_info(k, pid[0]).mappings, 64);
	CHECK(h[3].took < 64 * MiB);		/* the machine ran out */
	/* RAM is gone, yet a NIC's attach and maps still succeed: its
	 * regions were set aside at boot. */
	kernel_spawn(k, "later", later_main, &l);
	kernel_run(k, 2);
	CHECK_EQ(l.mmap_rc, -ENOMEM);
	CHECK_EQ(l.attach_rc, 0);
	kernel_get_stats(k, &st);
	CHECK(st.limit_refusals >= 6);
	/* One hog gone: its memory is there for the next. */
	kernel_kill(k, pid[0], "the test");
	memset(&l, 1, sizeof l);
	kernel_spawn(k, "later", later_main, &l);
	kernel_run(k, 2);
	CHECK_EQ(l.mmap_rc, 0);
	CHECK_EQ(l.attach_rc, 0);
	for (int i = 1; i < 4; i++)
		kernel_kill(k, pid[i], "the test");
	kernel_run(k, 2);
	CHECK_EQ(kernel_free_pages(k), free0);
	kernel_halt(k);
}

/* --- devices and mappings ------------------------------------------------ */

struct limits {
	int second_dev, second_kpath, after_goodbye;
	int maps[6], dev_map;
	uint32_t devices_held, mappings;
};

static void
devs_main(void *arg)
{
	struct limits *x = arg;
	cap_t id, t0, t1;

	sys_mmap(4096, &id);
	capio_attach(0, id, &t0);
	x->second_dev = capio_attach(1, id, &t1);
	x->second_kpath = capio_attach_kernel_path(1, id, &t1);
	capio_goodbye(0, t0);
	x->after_goodbye = capio_attach_kernel_path(1, id, &t1);
}

static void
maps_main(void *arg)
{
	struct limits *x = arg;
	struct capio_grant g;
	struct capio_desc desc;
	cap_t m, t;

	for (int i = 0; i < 6; i++)
		x->maps[i] = sys_mmap(4096, &m);
	/* Four mappings already: a device region is one more. */
	capio_describe(0, m, &desc);
	capio_attach(0, m, &t);
	x->dev_map = capio_map(0, t, &desc, "tx_ring", false, &g);
}

static void
test_devs_maps(void)
{
	struct kernel_opts o;
	struct kernel *k;
	struct limits x;
	struct later l = { 1, 1 };
	uint64_t free0;
	int pid;

	kernel_opts_default(&o);
	o.proc_devs_max = 1;
	o.proc_maps_max = 4;
	k = test_boot(&o);
	kernel_run(k, 1);
	free0 = kernel_free_pages(k);
	memset(&x, 0x7f, sizeof x);
	pid = kernel_spawn(k, "devs", devs_main, &x);
	kernel_run(k, 5);
	CHECK_EQ(x.second_dev, -EMFILE);
	CHECK_EQ(x.second_kpath, -EMFILE);
	CHECK_EQ(x.after_goodbye, 0);
	CHECK_EQ(test_proc_info(k, pid).devices, 0);	/* it ended */
	pid = kernel_spawn(k, "maps", maps_main, &x);
	kernel_run(k, 5);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(x.maps[i], 0);
	CHECK_EQ(x.maps[4], -ENOMEM);
	CHECK_EQ(x.maps[5], -ENOMEM);
	CHECK_EQ(x.dev_map, -ENOMEM);
	CHECK(test_proc_info(k, pid).state == PROC_EXITED);
	/* Another process is held to its own count, not theirs. */
	kernel_spawn(k, "later", later_main, &l);
	kernel_run(k, 5);
	CHECK_EQ(l.mmap_rc, 0);
	CHECK_EQ(l.attach_rc, -ENOMEM);		/* 2 + 5 mappings > 4 */
	CHECK_EQ(kernel_free_pages(k), free0);
	kernel_halt(k);

	/* The same with the default limit: attach and all five maps. */
	k = test_boot(NULL);
	memset(&l, 1, sizeof l);
	kernel_spawn(k, "later", later_main, &l);
	kernel_run(k, 5);
	CHECK_EQ(l.attach_rc, 0);
	kernel_halt(k);
}

/* --- page tables ------------------------------------------------------- */

#define PT_CYCLES	10000

struct cycler {
	int cycles, rc;
};

static void
cycler_main(void *arg)
{
	struct cycler *c = arg;
	cap_t id, t;

	sys_mmap(4096, &id);
	/* One cycle first: it touches the NIC's regions, once for all. */
	if ((c->rc = attach_map(0, id, &t)) != 0 ||
	    (c->rc = capio_goodbye(0, t)) != 0)
		return;
	sys_yield();		/* the starting count */
	for (c->cycles = 0; c->cycles < PT_CYCLES; c->cycles++) {
		if ((c->rc = attach_map(0, id, &t)) != 0 ||
		    (c->rc = capio_goodbye(0, t)) != 0)
			return;
		if (c->cycles % 1000 == 999)
			sys_yield();
	}
	sys_yield();
}

static long
rss_kib(void)
{
	long size, rss;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void
test_page_tables(void)
{
	struct kernel *k = test_boot(NULL);
	struct cycler c = { 0 };
	struct kernel_stats st;
	uint64_t t0, tmax = 0;
	long rss0, rss1;
	int pid;

	pid = kernel_spawn(k, "cycler", cycler_main, &c);
	kernel_run(k, 1);
	t0 = test_proc_info(k, pid).page_tables;
	rss0 = rss_kib();
	/* Measured while the process lives: its end frees everything. */
	rss1 = rss0;
	while (test_proc_info(k, pid).state == PROC_RUNNABLE) {
		uint64_t now;
		long rss;

		kernel_run(k, 1);
		if (test_proc_info(k, pid).state != PROC_RUNNABLE)
			break;
		if ((now = test_proc_info(k, pid).page_tables) > tmax)
			tmax = now;
		if ((rss = rss_kib()) > rss1)
			rss1 = rss;
	}
	CHECK_EQ(c.rc, 0);
	CHECK_EQ(c.cycles, PT_CYCLES);
	/* After every thousand cycles, as many tables as before the first. */
	CHECK_EQ(tmax, t0);
	printf("page tables: %d attach/map/goodbye cycles: %llu tables "
	    "before, at most %llu between; host RSS %ld KiB, at most %ld "
	    "KiB\n",
	    c.cycles, (unsigned long long)t0, (unsigned long long)tmax, rss0,
	    rss1);
#ifndef UNDER_ASAN
	/* Before tables were freed this grew by about 4 KiB a cycle. */
	if (rss0 > 0 && rss1 > 0)
		CHECK(rss1 - rss0 < 8 * 1024);
#endif
	kernel_get_stats(k, &st);
	CHECK_EQ(st.page_tables, 0);		/* no process left */
	kernel_halt(k);
}

/* --- device addresses run out ----------------------------------------- */

struct va {
	int cycles, rc, fresh;
};

static void
va_main(void *arg)
{
	struct va *v = arg;
	cap_t id, t;

	sys_mmap(4096, &id);
	for (v->cycles = 0; v->cycles < 100; v->cycles++) {
		if ((v->rc = attach_map(0, id, &t)) != 0)
			break;
		capio_goodbye(0, t);
	}
	capio_goodbye(0, t);
}

static void
fresh_main(void *arg)
{
	struct va *v = arg;
	cap_t id, t;

	sys_mmap(4096, &id);
	v->fresh = attach_map(0, id, &t);
}

static void
test_va_exhaustion(void)
{
	struct kernel_opts o;
	struct kernel *k;
	struct va v = { 0, 1, 1 };
	int pid;

	kernel_opts_default(&o);
	o.dev_va_size = 16 * MiB;
	k = test_boot(&o);
	pid = kernel_spawn(k, "va", va_main, &v);
	kernel_run(k, 5);
	/* Each cycle takes 4+ MiB of addresses (aligned pools), never
	 * reused: a few cycles, then ENOMEM, and the process runs on. */
	CHECK(v.cycles >= 2 && v.cycles < 8);
	CHECK_EQ(v.rc, -ENOMEM);
	CHECK(test_proc_info(k, pid).state == PROC_EXITED);
	/* A new process has addresses of its own. */
	kernel_spawn(k, "fresh", fresh_main, &v);
	kernel_run(k, 5);
	CHECK_EQ(v.fresh, 0);
	kernel_halt(k);
}

int
main(void)
{
	test_ram();
	test_devs_maps();
	test_page_tables();
	test_va_exhaustion();
	return check_done("quota");
}
