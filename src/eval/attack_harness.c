/*
 * attack_harness.c — run one attack on a fresh machine and judge it.
 *
 * The cast, in scheduling order: [the cable] the attacker, a bystander,
 * [a peer on NIC 1], and afterwards a wire tap that drains what NIC 1
 * received. The harness plants a secret in kernel memory, then checks,
 * never assumes:
 *   device  NIC 0's configuration registers (e1000e_peek, no side
 *           effects) as the attacker leaves them (a revocation hook fires
 *           before the kernel reprograms anything) against the moment it
 *           was set up, and after everything against boot;
 *   kernel  the kernel's private page and its own rings and buffers,
 *           byte for byte; and that it saw every link event;
 *   procs   the bystander ran to its end with its memory intact (and the
 *           new owner of class 8b found its regions fresh);
 *   wire    whether the secret went out (and the pcap, with --pcap).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/attack.h"
#include "board/board.h"
#include "dev/e1000e.h"
#include "kernel/e1000e_manifest.h"
#include "machine/cpu.h"
#include "machine/phys.h"
#include "user/server.h"

#define MAX_ROUNDS	200
#define MC_ROUNDS	400000	/* class 15: TCP by hand takes rounds */
#define BY_ROUNDS	24	/* the bystander outlives every attack */
#define BY_PATTERN(i)	((uint8_t)(0x5a ^ (i) * 7))
#define MAX_FRAMES	32
#define MAX_REGS	1024
#define TENANT_RING	0x800u	/* tenant B's queue 1 ring: in the kernel's
				   private page, after the secret */

/* --- the registers that must not move --------------------------------- */

static uint32_t reg_off[MAX_REGS];
static size_t nregs;

static bool
data_plane(uint32_t off)
{
	return off == E1000E_TDH || off == E1000E_TDT || off == E1000E_RDH ||
	    off == E1000E_RDT;
}

/* Every configuration register: not statistics (they count legitimate
 * traffic), not ICR/STATUS and the like (they move with events). */
static void
regs_init(void)
{
	static const char *const skip[] = {
		"STATUS", "ICR", "ICS", "IMC", "EERD", "EECD", "MDIC", "SWSM",
		"CTRL_DUP",
	};

	if (nregs > 0)
		return;
	for (uint32_t off = 0; off < E1000E_BAR0_SIZE && nregs < MAX_REGS;
	    off += 4) {
		const char *n = e1000e_reg_name(off);
		bool keep = n != NULL && !(off >= E1000E_CRCERRS &&
		    off <= E1000E_IAC);

		for (size_t i = 0; keep && i < sizeof skip / sizeof skip[0]; i++)
			if (strcmp(n, skip[i]) == 0)
				keep = false;
		if (keep)
			reg_off[nregs++] = off;
	}
}

/* --- the rest of the cast ----------------------------------------------- */

struct bystander {
	uint64_t va;
	int rounds;
	bool intact;
};

static void
bystander_main(void *arg)
{
	struct bystander *b = arg;
	uint8_t buf[4096];
	cap_t m;

	if (sys_mmap(sizeof buf, &m) != 0)
		sys_exit(2);
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = BY_PATTERN(i);
	stbytes(m, 0, buf, sizeof buf);
	b->va = cheri_address_get(m);
	for (int i = 0; i < BY_ROUNDS; i++) {
		sys_yield();
		b->rounds++;
	}
	ldbytes(m, 0, buf, sizeof buf);
	b->intact = true;
	for (size_t i = 0; i < sizeof buf; i++)
		if (buf[i] != BY_PATTERN(i))
			b->intact = false;
	sys_exit(b->intact ? 0 : 1);
}

struct wiretap {
	uint8_t frames[MAX_FRAMES][2048];
	size_t len[MAX_FRAMES];
	size_t n;
};

/* NIC dev's kernel path, claimed: its token and a page to copy through. */
static bool
claim(int dev, cap_t *token, cap_t *buf)
{
	cap_t id;

	return sys_mmap(4096, buf) == 0 && sys_mmap(4096, &id) == 0 &&
	    capio_attach_kernel_path(dev, id, token) == 0;
}

/* Every frame NIC 1 holds for the claim's holder, into the tap (what a
 * holder leaves unread is dropped when its claim ends). */
static void
tap_drain(struct wiretap *w, cap_t token, cap_t m)
{
	while (w->n < MAX_FRAMES) {
		uint64_t flen = 0;
		int64_t got = sys_recv(1, token, m, 2048, &flen);

		if (got < 0)
			break;
		ldbytes(m, 0, w->frames[w->n], (size_t)got);
		w->len[w->n++] = (size_t)got;
	}
}

struct peer {
	struct atk_ctx *c;
	struct wiretap *tap;
};

static void
peer_main(void *arg)
{
	struct peer *pe = arg;
	struct atk_ctx *c = pe->c;
	uint8_t f[14 + sizeof attack_payload];
	cap_t m, t, rx;

	if (!claim(1, &t, &m) || sys_mmap(2048, &rx) != 0)
		return;
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x99", 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	memcpy(f + 14, attack_payload, sizeof attack_payload);
	stbytes(m, 0, f, sizeof f);
	/* Send once the attacker has its RX descriptor in place. */
	for (int i = 0; i < 50 && c->stage < ATK_DONE; i++)
		sys_yield();
	if (c->stage == ATK_DONE)
		(void)sys_send(1, t, m, sizeof f);
	tap_drain(pe->tap, t, rx);
}

/* --- classes 13 and 14: victims that hold what they need ---------------- */

#define KP_FRAMES	8	/* the victim's traffic, one frame a round */
#define KP_LEN		60

static void
kp_frame(uint8_t *f, unsigned seq)
{
	memset(f, 0, KP_LEN);
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x77", 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	snprintf((char *)f + 14, KP_LEN - 14, "KPATH-VICTIM-FRAME %03u", seq);
}

struct kvictim {
	struct atk_ctx *c;
	unsigned got, intact;
};

/* Serves NIC 0 through the kernel path: every frame the peer sends must
 * reach it, in order, intact. */
static void
kvictim_main(void *arg)
{
	struct kvictim *v = arg;
	uint8_t want[KP_LEN], f[2048];
	cap_t t, m;
	int64_t n;

	if (!claim(0, &t, &m))
		sys_exit(2);
	v->c->victim_ready = true;
	for (int i = 0; i < 100 && v->got < KP_FRAMES; i++) {
		while (v->got < KP_FRAMES &&
		    (n = sys_recv(0, t, m, sizeof f, NULL)) >= 0) {
			ldbytes(m, 0, f, (size_t)n);
			kp_frame(want, v->got++);
			if (n == KP_LEN && memcmp(f, want, KP_LEN) == 0)
				v->intact++;
		}
		sys_yield();
	}
	v->c->victim_done = true;
	sys_exit(v->intact == KP_FRAMES ? 0 : 1);
}

struct kpeer {
	struct atk_ctx *c;
	struct wiretap *tap;
};

/* Holds NIC 1: sends the victim its frames, one a round, and records
 * whatever NIC 1 receives (nothing, unless someone spoofed NIC 0). */
static void
kpeer_main(void *arg)
{
	struct kpeer *kp = arg;
	uint8_t f[KP_LEN];
	cap_t t, m, rx;

	if (!claim(1, &t, &m) || sys_mmap(2048, &rx) != 0)
		return;
	for (int i = 0; i < 50 && !kp->c->victim_ready; i++)
		sys_yield();
	for (unsigned seq = 0; seq < KP_FRAMES; seq++) {
		kp_frame(f, seq);
		stbytes(m, 0, f, sizeof f);
		(void)sys_send(1, t, m, sizeof f);
		tap_drain(kp->tap, t, rx);
		sys_yield();
	}
	for (int i = 0; i < 100 && !(kp->c->victim_done &&
	    kp->c->stage >= ATK_DONE); i++) {
		tap_drain(kp->tap, t, rx);
		sys_yield();
	}
	sys_yield();
	tap_drain(kp->tap, t, rx);
}

struct latecomer {
	struct atk_ctx *c;
	int mmap_rc, attach_rc, map_rc;
};

#define LATE_MEM	(4u << 20)

/* Asks, once the attacker has taken all it could, for what any process
 * may have: memory, and a free device to attach and map. */
static void
latecomer_main(void *arg)
{
	struct latecomer *l = arg;
	struct capio_grant g;
	struct capio_desc desc;
	cap_t m, id, t;

	l->mmap_rc = l->attach_rc = l->map_rc = 1;
	for (int i = 0; i < 150 && l->c->stage < ATK_DONE; i++)
		sys_yield();
	if ((l->mmap_rc = sys_mmap(LATE_MEM, &m)) == 0)
		st64(m, LATE_MEM - 8, 0x1a7e);
	if ((l->attach_rc = sys_mmap(4096, &id)) == 0 &&
	    (l->attach_rc = capio_describe(1, id, &desc)) == 0)
		l->attach_rc = capio_attach(1, id, &t);
	if (l->attach_rc == 0) {
		l->map_rc = capio_map(1, t, &desc, "rx_buffers", false, &g);
		(void)capio_goodbye(1, t);
	}
	l->c->victim_done = true;
	sys_exit(l->mmap_rc == 0 && l->attach_rc == 0 && l->map_rc == 0 ?
	    0 : 1);
}

struct cable {
	struct atk_ctx *c;
	struct e1000e *nic;
	bool flapped;
};

/* The cable is pulled and plugged back while the attacker runs. It ends
 * without a system call, so the kernel has not looked at ICR yet when
 * the attacker (next in the round) runs. */
static void
cable_main(void *arg)
{
	struct cable *w = arg;
	struct netport *p = e1000e_port(w->nic);

	for (int i = 0; !w->c->go; i++) {
		if (i == MAX_ROUNDS)
			return;		/* the attacker never got ready */
		sys_yield();
	}
	p->carrier = false;
	e1000e_link_changed(w->nic);
	p->carrier = true;
	e1000e_link_changed(w->nic);
	w->flapped = true;
}

struct new_owner {
	struct atk_ctx *c;
	bool fresh;
};

/* Class 8b: the device's next owner, after the holder was killed. */
static void
new_owner_main(void *arg)
{
	struct new_owner *n = arg;
	struct capio_grant g;
	struct capio_desc desc;
	cap_t id, t;

	if (sys_mmap(4096, &id) != 0 || capio_describe(0, id, &desc) != 0 ||
	    capio_attach(0, id, &t) != 0 ||
	    capio_map(0, t, &desc, "tx_buffers", false, &g) != 0)
		sys_exit(2);
	n->fresh = ld64(g.caps[0], 0) == 0;
	st64(g.caps[0], 0, 0x600d);
	n->c->new_owner_mapped = true;
	for (int i = 0; i < 8; i++)
		sys_yield();
	sys_exit(n->fresh && ld64(g.caps[0], 0) == 0x600d ? 0 : 1);
}

static void
wiretap_main(void *arg)
{
	struct wiretap *w = arg;
	cap_t m, t;

	if (claim(1, &t, &m))
		tap_drain(w, t, m);
}

/* --- class 15: a victim memcached and two well-behaved clients ------------ */

static const uint8_t mc_mss[4] = { 2, 4, 0x05, 0xb4 };

struct mclient {
	struct atk_ctx *c;
	struct server_cfg *srv;
	struct atk_tcp t;
	bool served;			/* checker: pre came back */
	char value[256];		/* what get pre got */
	char stats[4096];
};

/* Stores pre = hello through NIC 1 before the attacker starts, then
 * gives NIC 1 back for it. */
static void
seeder_main(void *arg)
{
	struct mclient *m = arg;
	bool ok;

	for (int i = 0; i < 10000 && !m->srv->ready; i++)
		sys_yield();
	if (!m->srv->ready || atk_tcp_open(&m->t, 1, m->c->victim_mac) != 0)
		sys_exit(2);
	ok = atk_tcp_connect(&m->t, &m->t.c[0], 39000, mc_mss) &&
	    atk_tcp_ask(&m->t, &m->t.c[0], NULL, 0,
	    "set pre 0 0 5\r\nhello\r\n", "STORED\r\n");
	atk_tcp_close(&m->t);
	m->c->victim_ready = ok;
	sys_exit(ok ? 0 : 1);
}

/* After the attacker: a fresh connection asks for pre, and for stats. */
static void
checker_main(void *arg)
{
	struct mclient *m = arg;
	struct atk_conn *k = &m->t.c[0];

	if (atk_tcp_open(&m->t, 1, m->c->victim_mac) != 0)
		sys_exit(2);
	if (atk_tcp_connect(&m->t, k, 39001, mc_mss)) {
		(void)atk_tcp_ask(&m->t, k, NULL, 0, "get pre\r\n", "END\r\n");
		snprintf(m->value, sizeof m->value, "%.200s", k->got);
		m->served = strcmp(k->got, "VALUE pre 0 5\r\nhello\r\nEND\r\n")
		    == 0;
		(void)atk_tcp_ask(&m->t, k, NULL, 0, "stats\r\n", "END\r\n");
		snprintf(m->stats, sizeof m->stats, "%s", k->got);
	}
	atk_tcp_close(&m->t);
	sys_exit(m->served ? 0 : 1);
}

/* --- one run ------------------------------------------------------------ */

struct run {
	const struct attack *a;
	struct kernel *k;
	struct e1000e *nic;
	struct atk_ctx c;
	int attacker, owner, holder, by_pid, no_pid;
	struct bystander by;
	struct cable cable;
	struct new_owner no;
	struct peer peer;
	struct kvictim kv;
	struct kpeer kp;
	struct latecomer late;
	int kv_pid, late_pid;
	uint64_t pt_start, pt_max, pt_end;	/* 14b: attacker's tables */
	struct server_cfg srv;			/* class 15's victim */
	struct mclient seeder, checker;
	struct atk_tcp atk_tcp;			/* the attacker's */
	int srv_pid, chk_pid;
	struct proc_info srv_at_check;		/* when the checker ended */
	bool checked;
	struct wiretap tap;
	uint32_t boot[MAX_REGS], owned[MAX_REGS], leave[MAX_REGS], fin[MAX_REGS];
	bool have_owned, have_leave;
	uint8_t *kmem_boot;
	size_t kmem_len;
	struct kernel_stats st_owned, st_end;
	struct e1000e_counters cnt_owned, cnt_end;
};

static void
snapshot(const struct run *r, uint32_t *v)
{
	for (size_t i = 0; i < nregs; i++)
		v[i] = e1000e_peek(r->nic, reg_off[i]);
}

static void
on_revoke(void *arg, int dev, int pid)
{
	struct run *r = arg;

	if (dev != 0 || r->have_leave || pid != r->owner ||
	    r->c.stage < ATK_ATTACKING)
		return;
	snapshot(r, r->leave);
	r->have_leave = true;
}

/* Kernel memory to watch: the private page (secret, tenant B's ring) and
 * NIC 0's own rings and buffers. Copied whole into one buffer. */
static size_t
kmem_copy(const struct run *r, uint8_t *out)
{
	struct phys *ph = board_phys(kernel_board(r->k));
	size_t len = 4096;

	if (out != NULL)
		phys_read(ph, kernel_private_page(r->k), out, 4096);
	for (unsigned i = 1; i < e1000e_manifest.nregions; i++) {
		uint64_t pa = kernel_dev_kernel_pa(r->k, 0, i);
		uint64_t n = e1000e_manifest.regions[i].size;

		if (pa == 0)
			continue;
		if (out != NULL)
			phys_read(ph, pa, out + len, n);
		len += n;
	}
	return len;
}

void
atk_append(char *buf, size_t n, const char *fmt, ...)
{
	size_t at = strlen(buf);
	va_list ap;

	if (at + 1 >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + at, n - at, fmt, ap);
	va_end(ap);
}

/* Registers that differ between a and b; false if any. */
static bool
diff_regs(const uint32_t *a, const uint32_t *b, bool skip_data_plane,
    const char *label, char *out, size_t n)
{
	bool same = true;
	int shown = 0;

	for (size_t i = 0; i < nregs; i++) {
		if (a[i] == b[i] || (skip_data_plane && data_plane(reg_off[i])))
			continue;
		if (shown < 4)
			atk_append(out, n, "%s%s%s 0x%08x->0x%08x", out[0] ? "; " : "",
			    shown == 0 ? label : "", e1000e_reg_name(reg_off[i]),
			    a[i], b[i]);
		else if (shown == 4)
			atk_append(out, n, " ...");
		shown++;
		same = false;
	}
	return same;
}

static int
boot(struct run *r, enum grant_arm arm, const struct atk_opts *o,
    char *err, size_t errlen)
{
	struct board_desc bd;
	struct kernel_opts ko;
	struct board *b;
	struct phys *ph;

	board_desc_default(&bd);
	bd.ram_size = 64ull << 20;
	if (o->pcap != NULL && (r->a->flags & ATK_EXFIL))
		bd.pcap = o->pcap;
	kernel_opts_default(&ko);
	ko.host_syscalls = false;
	ko.arm = arm;
	ko.iommu = arm == ARM_PAGE ? o->iommu_page : o->iommu_capio;
	if ((r->k = kernel_boot(board_new(&bd, err, errlen), &ko, err,
	    errlen)) == NULL)
		return -1;
	b = kernel_board(r->k);
	r->nic = board_nic(b, 0);
	ph = board_phys(b);
	/* The secret the attacks aim at, in memory no one is ever granted. */
	phys_write(ph, kernel_private_page(r->k), attack_secret,
	    sizeof attack_secret);
	r->c.secret_pa = kernel_private_page(r->k);
	if (r->a->flags & ATK_TENANT) {
		/* Tenant B's queue 1, as the kernel would have set it up: an
		 * 8-descriptor ring of B's, head and tail at 0. */
		uint64_t ring = kernel_private_page(r->k) + TENANT_RING;
		uint64_t bar = board_dev(b, 0)->bar;

		phys_bus_write(ph, bar + E1000E_TDBAL1, 4, (uint32_t)ring);
		phys_bus_write(ph, bar + E1000E_TDBAH1, 4, ring >> 32);
		phys_bus_write(ph, bar + E1000E_TDLEN1, 4, 128);
	}
	board_nic_mac(b, 0, r->c.victim_mac);
	r->c.tcp = &r->atk_tcp;
	kernel_set_revoke_hook(r->k, on_revoke, r);
	snapshot(r, r->boot);
	r->kmem_len = kmem_copy(r, NULL);
	if ((r->kmem_boot = malloc(r->kmem_len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	kmem_copy(r, r->kmem_boot);
	return 0;
}

static void
spawn_cast(struct run *r)
{
	const unsigned f = r->a->flags;

	r->c.attack = r->a;
	/* memcached -c 8 -m 4 on NIC 0, and a client that stores pre. */
	if (f & ATK_MEMCACHED) {
		r->srv.app = APP_MEMCACHED;
		r->srv.dev = 0;
		snprintf(r->srv.cidr, sizeof r->srv.cidr, "10.0.0.1/24");
		r->srv.port = ATK_MC_PORT;
		mc_settings_default(&r->srv.mc_set);
		r->srv.mc_set.memory_limit = ATK_MC_MEMORY;
		r->srv.mc_set.max_connections = ATK_MC_CONNS;
		r->srv_pid = kernel_spawn(r->k, "memcached", server_main,
		    &r->srv);
		r->seeder = (struct mclient){ .c = &r->c, .srv = &r->srv };
		kernel_spawn(r->k, "seeder", seeder_main, &r->seeder);
	}
	if (f & ATK_CABLE) {
		r->cable = (struct cable){ &r->c, r->nic, false };
		kernel_spawn(r->k, "cable", cable_main, &r->cable);
	}
	if (f & ATK_AFTER_KILL) {
		r->holder = kernel_spawn(r->k, "holder", attack_process, &r->c);
		r->attacker = kernel_spawn(r->k, "accomplice", attack_accomplice,
		    &r->c);
	} else
		r->attacker = r->owner = kernel_spawn(r->k, r->a->name,
		    attack_process, &r->c);
	/* Its own attaches, if any, are the attack: no snapshot of them. */
	if (f & ATK_NO_ATTACH)
		r->owner = 0;
	r->by_pid = kernel_spawn(r->k, "bystander", bystander_main, &r->by);
	if (f & ATK_PEER) {
		r->peer = (struct peer){ &r->c, &r->tap };
		kernel_spawn(r->k, "peer", peer_main, &r->peer);
	}
	/* After the attacker in each round: a frame the peer sent is
	 * waiting when the attacker runs. */
	if (f & ATK_KPATH) {
		r->kv = (struct kvictim){ &r->c, 0, 0 };
		r->kv_pid = kernel_spawn(r->k, "victim", kvictim_main, &r->kv);
		r->kp = (struct kpeer){ &r->c, &r->tap };
		kernel_spawn(r->k, "peer", kpeer_main, &r->kp);
	}
	if (f & ATK_STARVE) {
		r->late = (struct latecomer){ &r->c, 1, 1, 1 };
		r->late_pid = kernel_spawn(r->k, "latecomer", latecomer_main,
		    &r->late);
	}
}

static uint64_t
page_tables(const struct run *r, int pid)
{
	struct proc_info pi;

	if (kernel_proc_info(r->k, pid, &pi) != 0)
		return 0;
	return pi.page_tables;
}

static void
take_owned(struct run *r)
{
	snapshot(r, r->owned);
	r->have_owned = true;
	kernel_get_stats(r->k, &r->st_owned);
	e1000e_get_counters(r->nic, &r->cnt_owned);
	r->pt_start = r->pt_max = r->pt_end = page_tables(r, r->attacker);
	r->c.go = true;
}

/* Between rounds: the snapshots, and class 8b's kill and new owner. */
static void
between_rounds(struct run *r)
{
	struct proc_info pi;
	uint64_t pa;

	if (r->c.victim_pa == 0 && r->by.va != 0 &&
	    kernel_proc_translate(r->k, r->by_pid, r->by.va, &pa) == 0)
		r->c.victim_pa = pa;
	if (r->a->flags & ATK_AFTER_KILL) {
		if (r->c.holder_mapped && r->no_pid == 0) {
			kernel_kill(r->k, r->holder, "the harness");
			r->no = (struct new_owner){ &r->c, false };
			r->no_pid = r->owner = kernel_spawn(r->k, "new-owner",
			    new_owner_main, &r->no);
		}
		if (r->c.new_owner_mapped && !r->c.go)
			take_owned(r);
		return;
	}
	/* Class 15: once the attacker is gone, the checker; once it is
	 * done, the victim is looked at and told to stop. */
	if ((r->a->flags & ATK_MEMCACHED) && !r->checked) {
		if (r->chk_pid == 0 && (kernel_proc_info(r->k, r->attacker,
		    &pi) != 0 || pi.state != PROC_RUNNABLE)) {
			r->checker = (struct mclient){ .c = &r->c,
			    .srv = &r->srv };
			r->chk_pid = kernel_spawn(r->k, "checker", checker_main,
			    &r->checker);
		} else if (r->chk_pid > 0 && (kernel_proc_info(r->k,
		    r->chk_pid, &pi) != 0 || pi.state != PROC_RUNNABLE)) {
			kernel_proc_info(r->k, r->srv_pid, &r->srv_at_check);
			r->checked = true;
			r->srv.stop = true;
		}
	}
	if (kernel_proc_info(r->k, r->attacker, &pi) != 0 ||
	    pi.state != PROC_RUNNABLE)
		return;
	if (r->c.stage == ATK_READY)
		take_owned(r);
	/* The kernel's own count, as often as the attacker yields. */
	if ((r->a->flags & ATK_PT_FLOOD) && r->c.stage >= ATK_ATTACKING) {
		if (pi.page_tables > r->pt_max)
			r->pt_max = pi.page_tables;
		r->pt_end = pi.page_tables;
	}
}

static void
find_leak(struct run *r, struct atk_result *res)
{
	res->frames_seen += r->tap.n;
	for (size_t i = 0; i < r->tap.n; i++) {
		const uint8_t *f = r->tap.frames[i];
		const uint8_t *p = memmem(f, r->tap.len[i], attack_secret, 16);
		size_t n = 0;

		if (p == NULL)
			continue;
		while (n < ATK_SECRET_LEN && p + n < f + r->tap.len[i] &&
		    p[n] == attack_secret[n])
			n++;
		if (n > res->leak_len) {
			memcpy(res->leak, p, n);
			res->leak_len = n;
		}
		res->leaked = true;
	}
}

/* Where kernel memory differs from boot: "78 bytes at 0x80000". */
static bool
kmem_check(struct run *r, char *out, size_t n)
{
	uint8_t *now = malloc(r->kmem_len);
	size_t first = SIZE_MAX, count = 0;
	/* NIC 0's kernel rings and buffers carry the victim's traffic when
	 * it serves NIC 0 through the kernel path: the private page only. */
	size_t len = (r->a->flags & ATK_KPATH) ? 4096 : r->kmem_len;

	if (now == NULL) {
		atk_append(out, n, "%scannot check kernel memory", out[0] ? "; " : "");
		return false;
	}
	kmem_copy(r, now);
	for (size_t i = 0; i < len; i++)
		if (now[i] != r->kmem_boot[i]) {
			if (first == SIZE_MAX)
				first = i;
			count++;
		}
	free(now);
	if (count == 0)
		return true;
	atk_append(out, n, "%skernel memory: %zu bytes changed%s", out[0] ? "; " : "",
	    count, first < 4096 ? " in its private page (the secret)" :
	    " in its own rings and buffers");
	return false;
}

/* Class 15: the victim is the same process, ran to the end, exited 0
 * when told to. */
static void
mc_procs(struct run *r, struct atk_result *res)
{
	struct proc_info pi;

	memset(&pi, 0, sizeof pi);
	pi.status = "never started";
	if (!r->checked || r->srv_at_check.state != PROC_RUNNABLE ||
	    kernel_proc_info(r->k, r->srv_pid, &pi) != 0 ||
	    pi.state != PROC_EXITED || pi.exit_code != 0) {
		res->procs_ok = false;
		atk_append(res->changed, sizeof res->changed, "%svictim memcached "
		    "(pid %d): %s", res->changed[0] ? "; " : "", r->srv_pid,
		    r->checked ? r->srv_at_check.status : "never checked");
	}
}

/*
 * Class 15 is about availability, not memory: the attack succeeded if
 * the victim died, stopped answering, lost pre or went past -c or -m.
 * Otherwise it was contained: "refused: contained" (docs/attacks.md).
 */
static void
mc_verdict(struct run *r, struct atk_result *res)
{
	const char *st = r->checker.stats;
	uint64_t bytes = atk_stat(st, "bytes"), lim = atk_stat(st,
	    "limit_maxbytes"), cur = atk_stat(st, "curr_connections"),
	    rej = atk_stat(st, "rejected_connections");
	char got[60];
	size_t i;

	res->outcome = OUT_SUCCEEDED;
	/* A reply on one line, for the table. */
	for (i = 0; i + 1 < sizeof got && r->checker.value[i] != '\0'; i++)
		got[i] = r->checker.value[i] == '\r' ||
		    r->checker.value[i] == '\n' ? ' ' : r->checker.value[i];
	got[i] = '\0';
	if (!r->checked || r->srv_at_check.state != PROC_RUNNABLE)
		snprintf(res->cause, sizeof res->cause, "the victim memcached "
		    "(pid %d) is gone: %.150s", r->srv_pid, r->checked ?
		    r->srv_at_check.status : "never checked");
	else if (!r->checker.served)
		snprintf(res->cause, sizeof res->cause, "a fresh connection "
		    "did not get pre back (got \"%s\")", got);
	else if (r->c.mc_wrong[0] != '\0')
		snprintf(res->cause, sizeof res->cause, "%.110s (%.110s)",
		    r->c.mc_wrong, r->c.note);
	else if (bytes == UINT64_MAX || bytes > lim)
		snprintf(res->cause, sizeof res->cause, "stored bytes %llu "
		    "past -m %llu", (unsigned long long)bytes,
		    (unsigned long long)lim);
	else if (cur > ATK_MC_CONNS)
		snprintf(res->cause, sizeof res->cause, "%llu connections "
		    "open, past -c %d", (unsigned long long)cur, ATK_MC_CONNS);
	else {
		res->outcome = OUT_REFUSED;
		snprintf(res->cause, sizeof res->cause, "contained: victim pid "
		    "%d serves pre; %.110s; rejected_connections %llu, "
		    "bytes %llu of %llu",
		    r->srv_pid, r->c.note, (unsigned long long)rej,
		    (unsigned long long)bytes, (unsigned long long)lim);
	}
}

static void
judge(struct run *r, struct atk_result *res)
{
	struct proc_info pi, bi;
	const unsigned f = r->a->flags;
	bool corrupted = false;

	memset(&pi, 0, sizeof pi);
	memset(&bi, 0, sizeof bi);
	pi.status = bi.status = "never started";

	res->changed[0] = '\0';
	/* Device. */
	res->dev_ok = true;
	if (r->have_owned && r->have_leave)
		res->dev_ok = diff_regs(r->owned, r->leave, (f & ATK_TRAFFIC) != 0,
		    "", res->changed, sizeof res->changed);
	snapshot(r, r->fin);
	if (!diff_regs(r->boot, r->fin, (f & ATK_KPATH) != 0,
	    "after revocation: ", res->changed, sizeof res->changed))
		res->dev_ok = false;
	/* The victim sends nothing: whatever NIC 1 got from NIC 0 was sent
	 * by someone without its claim. */
	if ((f & ATK_KPATH) && r->tap.n > 0) {
		res->dev_ok = false;
		atk_append(res->changed, sizeof res->changed, "%son the wire: %zu "
		    "frame(s) sent as NIC 0 without its claim",
		    res->changed[0] ? "; " : "", r->tap.n);
	}
	/* Kernel. */
	res->kmem_ok = kmem_check(r, res->changed, sizeof res->changed);
	kernel_get_stats(r->k, &r->st_end);
	e1000e_get_counters(r->nic, &r->cnt_end);
	if ((f & ATK_CABLE) && r->cable.flapped &&
	    r->st_end.link_changes == r->st_owned.link_changes) {
		res->kmem_ok = false;
		atk_append(res->changed, sizeof res->changed, "%sthe kernel never saw "
		    "the link change", res->changed[0] ? "; " : "");
	}
	/* Other processes. */
	res->procs_ok = true;
	if (kernel_proc_info(r->k, r->by_pid, &bi) != 0 ||
	    bi.state != PROC_EXITED || bi.exit_code != 0 ||
	    r->by.rounds != BY_ROUNDS) {
		res->procs_ok = false;
		corrupted = r->by.rounds == BY_ROUNDS && !r->by.intact;
		atk_append(res->changed, sizeof res->changed, "%sbystander: %s%s",
		    res->changed[0] ? "; " : "", bi.status,
		    corrupted ? " (its memory was overwritten)" : "");
	}
	if (r->no_pid != 0 && (kernel_proc_info(r->k, r->no_pid, &pi) != 0 ||
	    pi.state != PROC_EXITED || pi.exit_code != 0)) {
		res->procs_ok = false;
		atk_append(res->changed, sizeof res->changed, "%snew owner: %s",
		    res->changed[0] ? "; " : "", pi.status);
	}
	if (r->kv_pid != 0 && (kernel_proc_info(r->k, r->kv_pid, &pi) != 0 ||
	    pi.state != PROC_EXITED || pi.exit_code != 0)) {
		res->procs_ok = false;
		atk_append(res->changed, sizeof res->changed, "%svictim: %s (%u of "
		    "its %d frames received intact)", res->changed[0] ? "; " : "",
		    pi.status, r->kv.intact, KP_FRAMES);
	}
	if (r->late_pid != 0 && (kernel_proc_info(r->k, r->late_pid, &pi) !=
	    0 || pi.state != PROC_EXITED || pi.exit_code != 0)) {
		res->procs_ok = false;
		atk_append(res->changed, sizeof res->changed, "%slatecomer: %s "
		    "(mmap %s, attach %s, map %s)", res->changed[0] ? "; " : "",
		    pi.status, capio_strerror(r->late.mmap_rc),
		    capio_strerror(r->late.attach_rc),
		    capio_strerror(r->late.map_rc));
	}
	if (f & ATK_MEMCACHED)
		mc_procs(r, res);
	memset(&pi, 0, sizeof pi);
	pi.status = "never started";
	find_leak(r, res);

	/* The outcome. */
	kernel_proc_info(r->k, r->attacker, &pi);
	if (r->c.setup_error[0] != '\0' || r->c.stage < ATK_ATTACKING) {
		res->outcome = OUT_ERROR;
		snprintf(res->cause, sizeof res->cause, "setup: %s",
		    r->c.setup_error[0] ? r->c.setup_error : pi.status);
	} else if (pi.faulted && r->c.stage == ATK_ATTACKING) {
		char why[200];

		fault_format(&pi.fault, why, sizeof why);
		res->outcome = OUT_TRAPPED;
		snprintf(res->cause, sizeof res->cause, "%s", why);
	} else if (f & ATK_MEMCACHED) {
		mc_verdict(r, res);
	} else if ((f & ATK_PT_FLOOD) && r->pt_max > r->pt_start +
	    ATK_PT_SLACK) {
		res->outcome = OUT_SUCCEEDED;
		snprintf(res->cause, sizeof res->cause, "its page tables grew "
		    "from %llu to %llu over %llu attach/map/goodbye cycles "
		    "(%llu KiB of host memory)", (unsigned long long)r->pt_start,
		    (unsigned long long)r->pt_max,
		    (unsigned long long)r->c.cycles,
		    (unsigned long long)(r->pt_max - r->pt_start) * 4);
	} else if ((f & ATK_STARVE) && r->late.mmap_rc != 0) {
		res->outcome = OUT_SUCCEEDED;
		snprintf(res->cause, sizeof res->cause, "a later process's "
		    "mmap failed: %s (%s)", capio_strerror(r->late.mmap_rc),
		    r->c.note);
	} else if ((f & ATK_STARVE) && (r->late.attach_rc != 0 ||
	    r->late.map_rc != 0)) {
		res->outcome = OUT_SUCCEEDED;
		snprintf(res->cause, sizeof res->cause, "a later process's "
		    "attach failed: %s, %s (%s)",
		    capio_strerror(r->late.attach_rc),
		    capio_strerror(r->late.map_rc), r->c.note);
	} else if (f & ATK_PT_FLOOD) {
		/* The loop ran its course and the count stayed put: the
		 * kernel refused it the memory it was after. */
		res->outcome = OUT_REFUSED;
		snprintf(res->cause, sizeof res->cause, "bounded: %llu "
		    "attach/map/goodbye cycles, its page tables %llu at the "
		    "start, at most %llu, %llu at the end%s%s",
		    (unsigned long long)r->c.cycles,
		    (unsigned long long)r->pt_start,
		    (unsigned long long)r->pt_max, (unsigned long long)r->pt_end,
		    r->c.rc < 0 ? "; stopped by " : "",
		    r->c.rc < 0 ? capio_strerror(r->c.rc) : "");
	} else if (r->c.rc < 0) {
		res->outcome = OUT_REFUSED;
		snprintf(res->cause, sizeof res->cause, "%s%s%s",
		    capio_strerror(r->c.rc), r->c.note[0] ? ": " : "", r->c.note);
	} else if (!(f & ATK_DMA)) {
		res->outcome = OUT_SUCCEEDED;
		snprintf(res->cause, sizeof res->cause, "%s", r->c.note);
	} else if (res->leaked) {
		res->outcome = OUT_SUCCEEDED;
		snprintf(res->cause, sizeof res->cause, "the NIC sent %zu bytes of "
		    "the kernel's secret on the wire", res->leak_len);
	} else if (!res->kmem_ok) {
		res->outcome = OUT_SUCCEEDED;
		snprintf(res->cause, sizeof res->cause, "the NIC wrote the wire's "
		    "bytes over the kernel's secret");
	} else if (corrupted) {
		res->outcome = OUT_SUCCEEDED;
		snprintf(res->cause, sizeof res->cause, "the NIC wrote the wire's "
		    "bytes into another process's memory");
	} else if (r->cnt_end.dma_faults > r->cnt_owned.dma_faults) {
		res->outcome = OUT_REFUSED;
		snprintf(res->cause, sizeof res->cause, "DMA fault: the IOMMU "
		    "stopped the device (%llu blocked)", (unsigned long long)
		    (r->cnt_end.dma_faults - r->cnt_owned.dma_faults));
	} else {
		res->outcome = OUT_ERROR;
		snprintf(res->cause, sizeof res->cause, "no evidence either way "
		    "(%s)", r->c.note);
	}
}

static void
run_once(const struct attack *a, enum grant_arm arm, int variant,
    const struct atk_opts *o, struct atk_result *res)
{
	struct run *r = calloc(1, sizeof *r);
	char err[256];

	memset(res, 0, sizeof *res);
	if (r == NULL) {
		res->outcome = OUT_ERROR;
		snprintf(res->cause, sizeof res->cause, "out of memory");
		return;
	}
	r->a = a;
	r->c.variant = variant;
	if (boot(r, arm, o, err, sizeof err) != 0) {
		res->outcome = OUT_ERROR;
		snprintf(res->cause, sizeof res->cause, "boot: %.200s", err);
		kernel_halt(r->k);
		free(r->kmem_boot);
		free(r);
		return;
	}
	spawn_cast(r);
	for (int round = 0; round < ((a->flags & ATK_MEMCACHED) ? MC_ROUNDS :
	    MAX_ROUNDS); round++) {
		int left = kernel_run(r->k, 1);

		between_rounds(r);
		if (left == 0)
			break;
	}
	/* Whatever reached NIC 1 over the wire. */
	kernel_spawn(r->k, "wiretap", wiretap_main, &r->tap);
	kernel_run(r->k, 0);
	judge(r, res);
	kernel_set_revoke_hook(r->k, NULL, NULL);
	kernel_halt(r->k);
	free(r->kmem_boot);
	free(r);
}

void
attack_run(const struct attack *a, enum grant_arm arm,
    const struct atk_opts *o, struct atk_result *r)
{
	int n = a->variants > 0 ? a->variants : 1;
	int trapped = 0, stopped = 0, worked = -1;
	struct atk_result one;
	char first_cause[240] = "";

	regs_init();
	if (n == 1) {
		run_once(a, arm, 0, o, r);
		return;
	}
	/* One machine per kept capability; the row sums them up. */
	memset(r, 0, sizeof *r);
	r->dev_ok = r->kmem_ok = r->procs_ok = true;
	for (int v = 0; v < n; v++) {
		run_once(a, arm, v, o, &one);
		r->dev_ok &= one.dev_ok;
		r->kmem_ok &= one.kmem_ok;
		r->procs_ok &= one.procs_ok;
		r->frames_seen += one.frames_seen;
		if (one.changed[0] && !r->changed[0])
			snprintf(r->changed, sizeof r->changed, "%s: %.360s",
			    attack_kept_names[v], one.changed);
		if (one.outcome == OUT_TRAPPED) {
			if (trapped++ == 0)
				snprintf(first_cause, sizeof first_cause, "%s",
				    one.cause);
		} else if (one.outcome == OUT_ERROR) {
			*r = one;
			snprintf(r->cause, sizeof r->cause, "%s: %.200s",
			    attack_kept_names[v], one.cause);
			return;
		} else if (one.outcome == OUT_SUCCEEDED && worked < 0) {
			worked = v;
			snprintf(r->cause, sizeof r->cause, "%s", one.cause);
		} else if (one.outcome == OUT_REFUSED && stopped++ == 0)
			snprintf(first_cause, sizeof first_cause, "%s", one.cause);
	}
	if (worked >= 0) {
		r->outcome = OUT_SUCCEEDED;
		return;
	}
	/* "page, va 0x4000...": one cause for all, each at its own address. */
	r->outcome = stopped > 0 ? OUT_REFUSED : OUT_TRAPPED;
	snprintf(r->cause, sizeof r->cause, "%.*s on all %d kept capabilities",
	    stopped > 0 ? (int)strlen(first_cause) :
	    (int)strcspn(first_cause, ","), first_cause, n);
}

const char *
attack_outcome_name(enum atk_outcome o)
{
	switch (o) {
	case OUT_TRAPPED:	return "trapped";
	case OUT_REFUSED:	return "refused";
	case OUT_SUCCEEDED:	return "succeeded";
	case OUT_ERROR:		return "error";
	}
	return "?";
}
