/*
 * test_kernel.c — the CAPIO kernel with processes that really run on the
 * machine: isolation of tokens, the follow-up's three violations, other
 * refused operations, DMA containment, the kernel-mediated path, and a
 * clean re-attach after a kill.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "check.h"
#include "board/board.h"
#include "dev/e1000e.h"
#include "dev/e1000e_desc.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/e1000e_stub.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "machine/phys.h"
#include "user/libcapio.h"

static struct kernel *
boot(enum grant_arm arm)
{
	struct kernel_opts o;

	kernel_opts_default(&o);
	o.arm = arm;
	return test_boot(&o);
}

/* --- a process that owns NIC 0 and then does something --------------- */

struct owner {
	int dev;
	const char *attack;	/* what to do once mapped */
	int rc[8];		/* results of the calls it made */
	cap_t token, identity;
	struct capio_grant bar, txr, rxr, txb, rxb;
	uint64_t txb_first;
	uint32_t readback;	/* TDBAL read back after the attack */	/* first word of its TX buffers at start */
	bool reached_end;
};

static void
owner_main(void *arg)
{
	struct owner *o = arg;
	struct capio_desc desc;
	cap_t tdt, tdh;

	o->rc[0] = sys_mmap(4096, &o->identity);
	capio_describe(o->dev, o->identity, &desc);
	o->rc[1] = capio_attach(o->dev, o->identity, &o->token);
	o->rc[2] = capio_map(o->dev, o->token, &desc, "bar0", false, &o->bar);
	o->rc[3] = capio_map(o->dev, o->token, &desc, "tx_ring", false, &o->txr);
	o->rc[4] = capio_map(o->dev, o->token, &desc, "tx_buffers", false, &o->txb);
	o->rc[5] = capio_map(o->dev, o->token, &desc, "rx_ring", false, &o->rxr);
	o->rc[6] = capio_map(o->dev, o->token, &desc, "rx_buffers", false, &o->rxb);
	tdt = capio_slice(&o->bar, "TDT");
	tdh = capio_slice(&o->bar, "TDH");
	if (o->rc[4] == 0)
		o->txb_first = ld64(o->txb.caps[0], 0);
	sys_yield();
	if (o->attack == NULL) {
	} else if (strcmp(o->attack, "tdt_to_tdbal") == 0) {
		st64(o->txb.caps[0], 0, 0x5555);	/* leave data behind */
		st32(tdt, (int64_t)E1000E_TDBAL - (int64_t)E1000E_TDT, 0xdead0000);
		o->readback = ld32(tdt, (int64_t)E1000E_TDBAL - (int64_t)E1000E_TDT);
	} else if (strcmp(o->attack, "txbuf_overflow") == 0) {
		st8(o->txb.caps[0], E1000E_TX_POOL_SIZE, 0x41);
	} else if (strcmp(o->attack, "ring_overflow") == 0) {
		st64(o->txr.caps[0], E1000E_TX_RING_SIZE, 0x1234);
	} else if (strcmp(o->attack, "ro_slice") == 0) {
		st32(tdh, 0, 5);
	} else if (strcmp(o->attack, "cap_store") == 0) {
		stcap(o->txb.caps[0], 0, o->identity);
	} else if (strcmp(o->attack, "after_goodbye") == 0) {
		o->rc[7] = capio_goodbye(o->dev, o->token);
		st32(tdt, 0, 1);
	} else if (strcmp(o->attack, "second_attach") == 0) {
		cap_t t2;
		o->rc[7] = capio_attach(o->dev, o->identity, &t2);
	} else if (strcmp(o->attack, "remap") == 0) {
		struct capio_grant g;
		o->rc[7] = capio_map(o->dev, o->token, &desc, "bar0", false, &g);
	}
	o->reached_end = true;
}

/* Counts rounds; must outlive every fault around it. */
static int bystander_rounds;
static void
bystander_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20; i++) {
		bystander_rounds++;
		sys_yield();
	}
}

static void
test_violation(const char *attack, const char *want_status, uint32_t watch_off)
{
	struct kernel *k = boot(ARM_CAPIO);
	struct owner o = { .dev = 0, .attack = attack };
	uint32_t before, after;
	int pid, by;

	if (k == NULL) {
		CHECK(!"boot");
		return;
	}
	before = e1000e_peek(board_nic(kernel_board(k), 0), watch_off);
	bystander_rounds = 0;
	pid = kernel_spawn(k, attack, owner_main, &o);
	by = kernel_spawn(k, "bystander", bystander_main, NULL);
	kernel_run(k, 1000);
	struct proc_info pi = test_proc_info(k, pid);
	CHECK(o.rc[1] == 0 && o.rc[2] == 0 && o.rc[3] == 0 && o.rc[4] == 0);
	CHECK(pi.state == PROC_KILLED);
	CHECK(!o.reached_end);
	if (strstr(pi.status, want_status) == NULL) {
		char m[300];
		snprintf(m, sizeof m, "%s: status '%s' lacks '%s'", attack, pi.status,
		    want_status);
		check_fail(__FILE__, __LINE__, m);
	}
	/* The bystander ran to its end; the device register did not move. */
	CHECK(test_proc_info(k, by).state == PROC_EXITED);
	CHECK_EQ(bystander_rounds, 20);
	after = e1000e_peek(board_nic(kernel_board(k), 0), watch_off);
	/* Revocation reprograms the rings: compare the kernel's own value. */
	(void)before;
	CHECK(after != 0xdead0000);
	kernel_halt(k);
}

static void
test_violations(void)
{
	test_violation("tdt_to_tdbal", "SIGPROT: bounds, e1000e0 BAR0+0x3800 (TDBAL)",
	    E1000E_TDBAL);
	test_violation("txbuf_overflow", "SIGPROT: bounds", E1000E_TDBAL);
	test_violation("ring_overflow", "SIGPROT: bounds", E1000E_TDBAL);
	test_violation("ro_slice", "SIGPROT: permission, e1000e0 BAR0+0x3810 (TDH)",
	    E1000E_TDH);
	test_violation("cap_store", "SIGPROT: permission", E1000E_TDBAL);
	test_violation("after_goodbye", "SIGSEGV: page", E1000E_TDT);
}

/* --- isolation: the follow-up's token test ------------------------------ */

struct iso {
	cap_t token_a;
	int attach_b, map_b_with_a, forged_b, forged_a, map_a, attach_a;
	int map_twice, bad_size;
};

static void
iso_a(void *arg)
{
	struct iso *s = arg;
	cap_t id;
	struct capio_grant g;
	struct capio_desc desc;

	sys_mmap(4096, &id);
	capio_describe(0, id, &desc);
	s->attach_a = capio_attach(0, id, &s->token_a);
	sys_yield();	/* let B try its luck */
	sys_yield();
	s->map_a = capio_map(0, s->token_a, &desc, "bar0", false, &g);
	s->map_twice = capio_map(0, s->token_a, &desc, "bar0", false, &g);
	/* Forged: the identity itself, unsealed, presented as a token. */
	s->forged_a = capio_map(0, id, &desc, "tx_ring", false, &g);
	/* A size that is not the region's. */
	struct sysargs a = { .x = { 0, 1, 4096, CAP_PERM_LOAD }, .c = { s->token_a } };
	struct sysret r;
	s->bad_size = (int)capio_syscall(SYS_MAP, &a, &r);
}

static void
iso_b(void *arg)
{
	struct iso *s = arg;
	cap_t id, tok;
	struct capio_grant g;
	struct capio_desc desc;

	sys_mmap(4096, &id);
	capio_describe(1, id, &desc);
	sys_yield();
	s->attach_b = capio_attach(0, id, &tok);	/* A holds it */
	s->map_b_with_a = capio_map(1, s->token_a, &desc, "bar0", false, &g);
	s->forged_b = capio_map(1, id, &desc, "bar0", false, &g);
}

static void
test_isolation(void)
{
	struct kernel *k = boot(ARM_CAPIO);
	struct iso s;

	memset(&s, 0, sizeof s);
	kernel_spawn(k, "A", iso_a, &s);
	kernel_spawn(k, "B", iso_b, &s);
	kernel_run(k, 100);
	CHECK_EQ(s.attach_a, 0);
	CHECK_EQ(s.attach_b, -EBUSY);
	CHECK_EQ(s.map_b_with_a, -EPERM);
	CHECK_EQ(s.forged_b, -EPERM);
	CHECK_EQ(s.forged_a, -EPERM);
	CHECK_EQ(s.map_a, 0);
	CHECK_EQ(s.map_twice, -EEXIST);
	CHECK_EQ(s.bad_size, -EINVAL);
	kernel_halt(k);
}

/* --- what the slicer hands out ------------------------------------------- */

static void
test_slices(void)
{
	struct kernel *k = boot(ARM_CAPIO);
	struct owner o = { .dev = 0 };

	kernel_spawn(k, "owner", owner_main, &o);
	kernel_run(k, 10);
	CHECK_EQ(o.bar.ncaps, 5);
	for (unsigned i = 0; i < o.bar.ncaps; i++) {
		const struct capio_slice_desc *s = &o.bar.region.slices[i];
		cap_t c = o.bar.caps[i];
		CHECK(c.tag);
		CHECK_EQ(cheri_base_get(c), o.bar.va + s->offset);
		CHECK_EQ(cheri_length_get(c), s->length);
		CHECK_EQ(cheri_perms_get(c) & ~CAP_PERM_GLOBAL,
		    s->access == CAPIO_SLICE_RW ? CAP_PERM_LOAD | CAP_PERM_STORE : CAP_PERM_LOAD);
	}
	CHECK_EQ(cheri_length_get(o.txb.caps[0]), E1000E_TX_POOL_SIZE);
	CHECK(!(cheri_perms_get(o.txb.caps[0]) & (CAP_PERM_LOAD_CAP | CAP_PERM_STORE_CAP)));
	kernel_halt(k);

	/* The page arm: a page per slice, read-write. */
	k = boot(ARM_PAGE);
	memset(&o, 0, sizeof o);
	kernel_spawn(k, "owner", owner_main, &o);
	kernel_run(k, 10);
	cap_t tdt = capio_slice(&o.bar, "TDT");
	CHECK_EQ(cheri_length_get(tdt), 4096);
	CHECK_EQ(cheri_address_get(tdt), o.bar.va + E1000E_TDT);
	kernel_halt(k);
}

/* --- the page arm lets the same store through ------------------------- */

static void
test_page_arm_exposes(void)
{
	struct kernel *k = boot(ARM_PAGE);
	struct owner o = { .dev = 0, .attack = "tdt_to_tdbal" };
	int pid = kernel_spawn(k, "page", owner_main, &o);

	kernel_run(k, 10);
	/* The store reached TDBAL (the register masks the low 4 bits). */
	CHECK(o.reached_end);
	CHECK_EQ(o.readback, 0xdead0000);
	CHECK(test_proc_info(k, pid).state == PROC_EXITED);
	kernel_halt(k);
}

/* --- the kernel-mediated path ------------------------------------------- */

static int kpath_ok, kpath_frames;
static uint64_t kpath_syscalls_before;

static void
kpath_main(void *arg)
{
	cap_t buf, in, id, t0, t1;
	(void)arg;

	sys_mmap(4096, &buf);
	sys_mmap(4096, &in);
	/* One identity may claim both NICs: each seals it with its key. */
	sys_mmap(4096, &id);
	if (capio_attach_kernel_path(0, id, &t0) != 0 ||
	    capio_attach_kernel_path(1, id, &t1) != 0)
		return;
	for (int i = 0; i < 100; i++) {
		uint8_t frame[128], got[128];
		int64_t n;
		uint64_t flen = 0;

		memset(frame, 0xff, 6);			/* broadcast */
		memset(frame + 6, 0x02, 6);
		frame[12] = 0x88;
		frame[13] = 0xb5;			/* local experimental */
		for (int j = 14; j < 128; j++)
			frame[j] = (uint8_t)(i + j);
		stbytes(buf, 0, frame, sizeof frame);
		if (i == 0)
			kpath_syscalls_before = 0;
		if (sys_send(0, t0, buf, sizeof frame) != (int64_t)sizeof frame)
			continue;
		n = sys_recv(1, t1, in, sizeof got, &flen);
		if (n != (int64_t)sizeof frame)
			continue;
		ldbytes(in, 0, got, sizeof got);
		kpath_frames++;
		if (memcmp(got, frame, sizeof frame) == 0)
			kpath_ok++;
	}
	/* Faulting copies are refused, not fatal. */
	cap_t ro = cheri_perms_and(in, CAP_PERM_LOAD);
	sys_send(0, t0, buf, 64);
	if (sys_recv(1, t1, ro, 64, NULL) == -EFAULT)
		kpath_ok += 1000;
}

static void
test_kernel_path(void)
{
	struct kernel *k = boot(ARM_CAPIO);
	int pid;

	struct kernel_stats before, after;

	kpath_ok = kpath_frames = 0;
	kernel_run(k, 1);	/* service the boot-time link interrupts first */
	kernel_get_stats(k, &before);
	pid = kernel_spawn(k, "kpath", kpath_main, NULL);
	kernel_run(k, 10);
	kernel_get_stats(k, &after);
	/* The kernel rings the doorbells: one TDT per send, one RDT per
	 * frame received (the last receive faults before it, and the frame
	 * is dropped, one more RDT, when the claim ends), nothing read
	 * back. */
	CHECK_EQ(after.mmio_writes - before.mmio_writes, 101 + 100 + 1);
	CHECK_EQ(after.mmio_reads - before.mmio_reads, 0);
	CHECK_EQ(after.syscalls - before.syscalls, 3 + 2 + 101 + 101);
	CHECK_EQ(kpath_frames, 100);
	CHECK_EQ(kpath_ok, 1100);
	struct proc_info pi = test_proc_info(k, pid);
	CHECK(pi.state == PROC_EXITED);
	/* Three mmaps, two claims, then one send and one receive per frame
	 * (and one more each at the end). */
	CHECK_EQ(pi.syscalls_by_nr[SYS_SEND], 101);
	CHECK_EQ(pi.syscalls_by_nr[SYS_RECV], 101);
	kernel_halt(k);
}

/* --- DMA containment ---------------------------------------------------- */

struct dmaatk {
	uint64_t target;
	int rc;
};

static void
dma_main(void *arg)
{
	struct dmaatk *d = arg;
	struct owner o = { .dev = 0 };
	uint64_t info8[8];

	owner_main(&o);
	d->rc = capio_info(0, o.token, info8);
	/* TX descriptor 0: 64 bytes from the target, EOP|RS; ring TDT. */
	st64(o.txr.caps[0], 0, d->target);
	st64(o.txr.caps[0], 8, 64u | ((uint64_t)(E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS) << 24));
	st32(capio_slice(&o.bar, "TDT"), 0, 1);
	/* RX descriptor 0 pointing at the target, handed to the device. */
	st64(o.rxr.caps[0], 0, d->target);
	st32(capio_slice(&o.bar, "RDT"), 0, 1);
	sys_yield();
}

static int dma_peer_sent;
static void
dma_peer(void *arg)
{
	cap_t buf, id, t;
	uint8_t f[64];
	(void)arg;

	sys_mmap(4096, &buf);
	sys_mmap(4096, &id);
	if (capio_attach_kernel_path(1, id, &t) != 0)
		return;
	memset(f, 0xff, sizeof f);
	stbytes(buf, 0, f, sizeof f);
	sys_yield();
	/* NIC 1 sends a broadcast to NIC 0, whose RX descriptor is hostile. */
	if (sys_send(1, t, buf, 64) == 64)
		dma_peer_sent = 1;
}

static void
test_dma(void)
{
	struct kernel *k = boot(ARM_CAPIO);
	struct dmaatk d;
	struct phys *ph = board_phys(kernel_board(k));
	uint8_t secret[64], after[64];
	struct e1000e_counters c0, c1;
	struct kernel_stats st;

	for (int i = 0; i < 64; i++)
		secret[i] = (uint8_t)(0xa0 + i);
	d.target = kernel_private_page(k);
	d.rc = -1;
	phys_write(ph, d.target, secret, sizeof secret);
	e1000e_get_counters(board_nic(kernel_board(k), 0), &c0);
	dma_peer_sent = 0;
	kernel_spawn(k, "dma", dma_main, &d);
	kernel_spawn(k, "peer", dma_peer, NULL);
	kernel_run(k, 20);
	e1000e_get_counters(board_nic(kernel_board(k), 0), &c1);
	kernel_get_stats(k, &st);
	CHECK_EQ(d.rc, 0);
	CHECK_EQ(dma_peer_sent, 1);
	CHECK(c1.dma_faults >= c0.dma_faults + 2);	/* the TX read, the RX write */
	CHECK(st.dma_faults >= 2);
	CHECK_EQ(c1.tx_frames, c0.tx_frames);		/* nothing left the NIC */
	phys_read(ph, d.target, after, sizeof after);
	CHECK(memcmp(secret, after, sizeof after) == 0);
	kernel_halt(k);
}

/* --- re-attach after a kill ----------------------------------------------- */

static void
test_reattach(void)
{
	struct kernel *k = boot(ARM_CAPIO);
	struct owner bad = { .dev = 0, .attack = "tdt_to_tdbal" };
	struct owner good = { .dev = 0 };
	int p1, p2;

	p1 = kernel_spawn(k, "bad", owner_main, &bad);
	kernel_run(k, 10);
	CHECK(test_proc_info(k, p1).state == PROC_KILLED);
	p2 = kernel_spawn(k, "good", owner_main, &good);
	kernel_run(k, 1);	/* attached and mapped, not yet at its end */
	CHECK_EQ(good.rc[1], 0);
	CHECK_EQ(good.rc[2], 0);
	struct e1000e *nic = board_nic(kernel_board(k), 0);
	CHECK_EQ(e1000e_peek(nic, E1000E_TDH), 0);
	CHECK_EQ(e1000e_peek(nic, E1000E_TDT), 0);
	CHECK_EQ(e1000e_peek(nic, E1000E_RDH), 0);
	CHECK_EQ(e1000e_peek(nic, E1000E_RDT), 0);
	CHECK(e1000e_peek(nic, E1000E_TDBAL) != bad.txr.va);
	/* The new owner's buffers start zeroed. */
	CHECK_EQ(good.txb_first, 0);
	kernel_run(k, 10);
	CHECK(test_proc_info(k, p2).state == PROC_EXITED);
	kernel_halt(k);
}

int
main(void)
{
	test_isolation();
	test_slices();
	test_violations();
	test_page_arm_exposes();
	test_kernel_path();
	test_dma();
	test_reattach();
	return check_done("kernel");
}
