/*
 * fuzz_syscall.c — libFuzzer target for the kernel's system-call surface,
 * driven by a hostile process. Each input is a program one unprivileged
 * process runs: system calls of any number with any arguments, passing
 * any capability it holds (what calls returned, what it derived, integers
 * made to look like capabilities, the sealed tokens), capability
 * derivations, loads, stores, capability loads and stores, and copies
 * through any of them. A fault kills it, as the hardware would.
 *
 * Two hostile processes share the input (its last byte says where it is
 * cut; 255: all of it to the first), so they also meet each other: one
 * attaches NIC 0, the other tries to take it, map it, spend its memory.
 *
 * Every input gets a fresh machine (so a crash reproduces from its input
 * alone) on which a victim process serves NIC 1 through the kernel path
 * (its claim) and has a page of its own memory; a frame for it waits in
 * NIC 1's ring. Oracles: no call of the hostile process on NIC 1 (attach,
 * map, info, goodbye, send, recv) ever succeeds; and after it ended the
 * kernel's private page, the victim's page and NIC 1's privileged
 * registers are exactly as they were, the victim still runs, receives
 * its frame intact and can still send, and NIC 0 and every unit of the
 * NVMe controller (device 2, whose block calls the programs make too)
 * are free again in both modes (a probe attaches each and says
 * goodbye): whatever the hostile processes did, revocation took
 * everything back. Resources too: once
 * both have ended, the kernel's free pages and the page tables of live
 * processes are back where they were before they started. ASan/UBSan
 * catch the rest. Work per input is bounded (MAX_OPS).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_prog.h"
#include "board/board.h"
#include "cap/cap.h"
#include "dev/e1000e.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "machine/phys.h"
#include "user/libcapio.h"

#define MAX_OPS		256
#define POOL		16
#define PAGE		4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kernel *k;
static int victim_pid;
static uint64_t victim_pa;	/* the victim's page, physically */
static uint8_t secret[PAGE], victim_pattern[PAGE];
static uint32_t nic1_regs[4];
static const uint32_t nic_priv[4] = { E1000E_TDBAL, E1000E_TDLEN,
    E1000E_RDBAL, E1000E_RDLEN };

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_syscall: oracle failed: %s\n", what);
	abort();
}

/* --- the victim: serves NIC 1 through the kernel path, never lets go --- */

#define FRAME_LEN	60

static volatile bool victim_ready, victim_go, victim_served;
static volatile uint64_t victim_va;
static volatile int64_t victim_recv, victim_send;
static uint8_t victim_frame[FRAME_LEN], victim_got[FRAME_LEN];

static void
victim_main(void *arg)
{
	struct sysargs a = { .x = { PAGE } };
	struct sysret r;
	cap_t page, buf, token;

	(void)arg;
	if (capio_syscall(SYS_MMAP, &a, &r) != 0)
		die("victim mmap");
	page = r.c[0];
	if (capio_syscall(SYS_MMAP, &a, &r) != 0)
		die("victim mmap");
	buf = r.c[0];
	stbytes(page, 0, victim_pattern, PAGE);
	victim_va = cheri_address_get(page);
	a = (struct sysargs){ .c = { page },
	    .x = { 1, SYS_ATTACH_KERNEL_PATH } };
	if (capio_syscall(SYS_ATTACH, &a, &r) != 0)
		die("victim attach");
	token = r.c[0];
	victim_ready = true;
	/* Nothing read until the hostile process has ended: its frame
	 * waits in NIC 1's ring all along. */
	while (!victim_go)
		wfe();
	a = (struct sysargs){ .c = { token, buf }, .x = { 1, PAGE } };
	victim_recv = capio_syscall(SYS_RECV, &a, &r);
	if (victim_recv == FRAME_LEN)
		ldbytes(buf, 0, victim_got, FRAME_LEN);
	a = (struct sysargs){ .c = { token, buf }, .x = { 1, FRAME_LEN } };
	victim_send = capio_syscall(SYS_SEND, &a, &r);
	victim_served = true;
	for (;;)
		wfe();
}

/* Sends the victim's frame from NIC 0, through a claim of its own. */
static void
sender_main(void *arg)
{
	struct sysargs a = { .x = { PAGE } };
	struct sysret r;
	cap_t buf;

	(void)arg;
	if (capio_syscall(SYS_MMAP, &a, &r) != 0)
		die("sender mmap");
	buf = r.c[0];
	stbytes(buf, 0, victim_frame, FRAME_LEN);
	a = (struct sysargs){ .c = { buf }, .x = { 0, SYS_ATTACH_KERNEL_PATH } };
	if (capio_syscall(SYS_ATTACH, &a, &r) != 0)
		die("sender attach");
	a = (struct sysargs){ .c = { r.c[0], buf }, .x = { 0, FRAME_LEN } };
	if (capio_syscall(SYS_SEND, &a, &r) != FRAME_LEN)
		die("sender send");
}

/* --- the hostile process ------------------------------------------------ */

/* A small number most of the time, anything sometimes. */
static uint64_t
take_arg(struct prog *pr)
{
	uint64_t sel = take(pr, 1);

	switch (sel & 3) {
	case 0:
		return (sel >> 2) & 7;
	case 1: {
		static const uint64_t sizes[] = { 4, PAGE, 0x20000,
		    E1000E_TX_RING_SIZE, E1000E_TX_POOL_SIZE,
		    E1000E_RX_RING_SIZE, E1000E_RX_POOL_SIZE,
		    CAP_PERM_LOAD | CAP_PERM_STORE, CAP_PERM_LOAD,
		    CAP_PERM_LOAD | CAP_PERM_STORE | CAP_PERM_LOAD_CAP |
		    CAP_PERM_STORE_CAP, 0x3ffff, 1u << 30, UINT64_MAX, 0,
		    sizeof(struct capio_desc) };
		return sizes[(sel >> 2) % (sizeof(sizes) / sizeof(sizes[0]))];
	}
	case 2:
		return take(pr, 2);
	default:
		return take(pr, 8);
	}
}

struct hostile {
	struct prog pr;
	cap_t pool[POOL];
	unsigned npool;
};

static void
keep(struct hostile *h, cap_t c)
{
	h->pool[h->npool % POOL] = c;
	h->npool++;
}

static cap_t
pick(struct hostile *h, struct prog *pr)
{
	unsigned n = h->npool < POOL ? h->npool : POOL;

	return (n == 0 ? cap_null() : h->pool[take(pr, 1) % n]);
}

static void
hostile_main(void *arg)
{
	struct hostile *h = arg;
	struct prog *pr = &h->pr;
	struct sysargs a;
	struct sysret r;
	uint8_t buf[PAGE];
	enum sysno nr;
	cap_t c, d;
	int64_t off, rc;

	keep(h, cap_null());
	a = (struct sysargs){ .x = { PAGE } };
	if (capio_syscall(SYS_MMAP, &a, &r) == 0)
		keep(h, r.c[0]);
	for (int op = 0; op < MAX_OPS && pr->n > 0; op++) {
		switch (take(pr, 1) % 12) {
		case 0:
		case 1:		/* any system call */
			memset(&a, 0, sizeof(a));
			a.c[0] = pick(h, pr);
			a.c[1] = pick(h, pr);
			for (int i = 0; i < 4; i++)
				a.x[i] = take_arg(pr);
			memset(&r, 0xa5, sizeof(r));
			nr = (enum sysno)(take(pr, 1) % (SYS_NCALLS + 2));
			rc = capio_syscall(nr, &a, &r);
			if (r.ncaps > SYS_MAXCAPS)
				die("sysret.ncaps out of range");
			/* NIC 1 is the victim's: nothing on it may work. */
			if (a.x[0] == 1 && rc >= 0 && (nr == SYS_ATTACH ||
			    nr == SYS_MAP || nr == SYS_INFO ||
			    nr == SYS_GOODBYE || nr == SYS_SEND ||
			    nr == SYS_RECV))
				die("the victim's claim on NIC 1 was not "
				    "respected");
			for (unsigned i = 0; i < r.ncaps; i++)
				keep(h, r.c[i]);
			break;
		case 2:		/* derive */
			c = pick(h, pr);
			switch (take(pr, 1) % 7) {
			case 0:
				c = cheri_bounds_set(c, take_arg(pr));
				break;
			case 1:
				c = cheri_bounds_set_exact(c, take_arg(pr));
				break;
			case 2:
				c = cheri_perms_and(c, (uint32_t)take(pr, 3));
				break;
			case 3:
				c = cheri_address_set(c, take_arg(pr));
				break;
			case 4:
				c = cheri_offset_increment(c,
				    (int64_t)take_arg(pr));
				break;
			case 5:
				d = pick(h, pr);
				c = cheri_seal(c, d);
				break;
			default:
				d = pick(h, pr);
				c = cheri_unseal(c, d);
				break;
			}
			keep(h, c);
			break;
		case 3:		/* an integer dressed as a capability */
			c = cap_from_mem(take(pr, 8), take(pr, 8), false);
			keep(h, c);
			break;
		case 4:		/* data load */
			c = pick(h, pr);
			off = (int64_t)take_arg(pr);
			switch (take(pr, 1) & 3) {
			case 0: (void)ld8(c, off); break;
			case 1: (void)ld16(c, off); break;
			case 2: (void)ld32(c, off); break;
			default: (void)ld64(c, off); break;
			}
			break;
		case 5:		/* data store */
			c = pick(h, pr);
			off = (int64_t)take_arg(pr);
			switch (take(pr, 1) & 3) {
			case 0: st8(c, off, (uint8_t)take(pr, 1)); break;
			case 1: st16(c, off, (uint16_t)take(pr, 2)); break;
			case 2: st32(c, off, (uint32_t)take(pr, 4)); break;
			default: st64(c, off, take(pr, 8)); break;
			}
			break;
		case 6:		/* capability load */
			c = pick(h, pr);
			keep(h, ldcap(c, (int64_t)take_arg(pr)));
			break;
		case 7:		/* capability store */
			c = pick(h, pr);
			d = pick(h, pr);
			stcap(c, (int64_t)take_arg(pr), d);
			break;
		case 8:		/* copies */
			c = pick(h, pr);
			off = (int64_t)take_arg(pr);
			if (take(pr, 1) & 1)
				ldbytes(c, off, buf, take(pr, 2) % PAGE);
			else {
				memset(buf, (int)take(pr, 1), sizeof(buf));
				stbytes(c, off, buf, take(pr, 2) % PAGE);
			}
			break;
		case 9:
			wfe();
			break;
		default:	/* the usual prologue, so deeper calls happen */
			memset(&a, 0, sizeof(a));
			a.c[0] = pick(h, pr);
			a.x[0] = take(pr, 1) & 1;
			a.x[1] = take(pr, 1) & SYS_ATTACH_KERNEL_PATH;
			rc = capio_syscall(SYS_ATTACH, &a, &r);
			if (rc == 0 && a.x[0] == 1)
				die("attached the victim's NIC 1");
			if (rc == 0) {
				keep(h, r.c[0]);
				a.c[0] = r.c[0];
				a.x[1] = take(pr, 1) %
				    (e1000e_manifest.nregions + 1);
				a.x[2] = a.x[1] < e1000e_manifest.nregions ?
				    e1000e_manifest.regions[a.x[1]].size : 0;
				a.x[3] = CAP_PERM_LOAD | CAP_PERM_STORE;
				if (capio_syscall(SYS_MAP, &a, &r) == 0)
					for (unsigned i = 0; i < r.ncaps; i++)
						keep(h, r.c[i]);
			}
			break;
		}
	}
}

/* --- the probe: NIC 0 must be free again, in both modes ----------------- */

#define NVME_DEV	2
#define PROBE_UNITS	2

static volatile int probe_attach, probe_goodbye;

static void
probe_main(void *arg)
{
	struct sysargs a = { .x = { PAGE } };
	struct sysret r;
	cap_t id;

	(void)arg;
	probe_attach = probe_goodbye = -1;
	if (capio_syscall(SYS_MMAP, &a, &r) != 0)
		return;
	id = r.c[0];
	/* NIC 0 in both modes, then every unit of the NVMe controller in
	 * both: free again, whatever the hostile processes held. */
	for (int u = -1; u < PROBE_UNITS; u++)
		for (uint64_t mode = 0; mode <= SYS_ATTACH_KERNEL_PATH;
		    mode++) {
			uint64_t dev = u < 0 ? 0 : NVME_DEV;
			uint64_t unit = u < 0 ? 0 : (uint64_t)u;

			a = (struct sysargs){ .c = { id },
			    .x = { dev, mode, unit } };
			if ((probe_attach = (int)capio_syscall(SYS_ATTACH,
			    &a, &r)) != 0)
				return;
			a = (struct sysargs){ .c = { r.c[0] }, .x = { dev } };
			if ((probe_goodbye = (int)capio_syscall(SYS_GOODBYE,
			    &a, &r)) != 0)
				return;
		}
}

/* --- setup and oracles -------------------------------------------------- */

/* Until every one of pids[0..n) has ended; the victim stays runnable,
 * so the rounds are bounded instead. */
static void
run_all_until_done(const int *pids, int n)
{
	struct proc_info pi;
	int live;

	for (int i = 0; i < 100000; i++) {
		live = 0;
		for (int j = 0; j < n; j++)
			if (kernel_proc_info(k, pids[j], &pi) == 0 &&
			    pi.state == PROC_RUNNABLE)
				live++;
		if (live == 0)
			return;
		kernel_run(k, 1);
	}
	for (int j = 0; j < n; j++)
		kernel_kill(k, pids[j], "fuzz: did not end");
}

static void
run_until_done(int pid)
{
	run_all_until_done(&pid, 1);
}

static void
setup(void)
{
	struct board_desc bd;
	struct kernel_opts o;
	char err[200];
	uint64_t pa;

	victim_ready = victim_go = victim_served = false;
	victim_recv = victim_send = -1;
	board_desc_default(&bd);
	bd.ram_size = 64u << 20;
	/* Device 2: an NVMe controller whose queue pairs are units, so
	 * that attach, map, goodbye and the block calls meet a second
	 * kind of device. */
	bd.nvmes = 1;
	bd.nvme[0].queues = PROBE_UNITS;
	bd.nvme[0].ns_bytes = 1u << 20;
	kernel_opts_default(&o);
	o.host_syscalls = false;
	if ((k = kernel_boot(board_new(&bd, err, sizeof(err)), &o, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_syscall: %s\n", err);
		abort();
	}
	for (size_t i = 0; i < PAGE; i++) {
		secret[i] = (uint8_t)(i * 7 + 3);
		victim_pattern[i] = (uint8_t)(i * 13 + 5);
	}
	memset(victim_frame, 0xff, 6);
	memcpy(victim_frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	victim_frame[12] = 0x88;
	victim_frame[13] = 0xb5;
	for (size_t i = 14; i < FRAME_LEN; i++)
		victim_frame[i] = (uint8_t)(i * 3 + 1);
	pa = kernel_private_page(k);
	if (phys_write(board_phys(kernel_board(k)), pa, secret, PAGE) != 0)
		die("plant secret");
	victim_pid = kernel_spawn(k, "victim", victim_main, NULL);
	for (int i = 0; i < 1000 && !victim_ready; i++)
		kernel_run(k, 1);
	if (!victim_ready ||
	    kernel_proc_translate(k, victim_pid, victim_va, &victim_pa) != 0)
		die("victim set-up");
	run_until_done(kernel_spawn(k, "sender", sender_main, NULL));
	kernel_run(k, 2);	/* the wire delivers it */
	for (int i = 0; i < 4; i++)
		nic1_regs[i] = e1000e_peek(board_nic(kernel_board(k), 1), nic_priv[i]);
}

static void
check(void)
{
	uint8_t b[PAGE];
	struct proc_info pi;
	uint64_t pa;
	int pid;

	if (phys_read(board_phys(kernel_board(k)), kernel_private_page(k), b, PAGE) != 0 ||
	    memcmp(b, secret, PAGE) != 0)
		die("the kernel's private page changed");
	if (kernel_proc_translate(k, victim_pid, victim_va, &pa) != 0 ||
	    pa != victim_pa ||
	    phys_read(board_phys(kernel_board(k)), victim_pa, b, PAGE) != 0 ||
	    memcmp(b, victim_pattern, PAGE) != 0)
		die("the victim's page changed");
	if (kernel_proc_info(k, victim_pid, &pi) != 0 ||
	    pi.state != PROC_RUNNABLE)
		die("the victim died");
	for (int i = 0; i < 4; i++)
		if (e1000e_peek(board_nic(kernel_board(k), 1), nic_priv[i]) != nic1_regs[i])
			die("NIC 1's ring registers changed");
	victim_go = true;
	for (int i = 0; i < 100 && !victim_served; i++)
		kernel_run(k, 1);
	if (victim_recv != FRAME_LEN ||
	    memcmp(victim_got, victim_frame, FRAME_LEN) != 0)
		die("the victim's frame was taken or changed");
	if (victim_send != FRAME_LEN)
		die("the victim could not send on its own claim");
	pid = kernel_spawn(k, "probe", probe_main, NULL);
	if (pid < 0)
		die("cannot spawn the probe");
	run_until_done(pid);
	if (probe_attach != 0 || probe_goodbye != 0)
		die("NIC 0 or an NVMe unit was not free after the hostile "
		    "processes ended");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hostile h[2];
	struct kernel_stats ks;
	uint64_t free0, pt0;
	size_t cut = size;
	int pids[2];

	setup();
	free0 = kernel_free_pages(k);
	kernel_get_stats(k, &ks);
	pt0 = ks.page_tables;
	memset(h, 0, sizeof(h));
	if (size > 0) {
		size--;
		cut = data[size] == 255 ? size : size * data[size] / 255;
	}
	h[0].pr = (struct prog){ data, cut };
	h[1].pr = (struct prog){ data + cut, size - cut };
	for (int i = 0; i < 2; i++)
		if ((pids[i] = kernel_spawn(k, "hostile", hostile_main,
		    &h[i])) < 0)
			die("cannot spawn");
	run_all_until_done(pids, 2);
	if (kernel_free_pages(k) != free0)
		die("the hostile processes' memory did not come back");
	kernel_get_stats(k, &ks);
	if (ks.page_tables != pt0)
		die("the hostile processes' page tables were not freed");
	check();
	kernel_halt(k);
	k = NULL;
	return (0);
}
