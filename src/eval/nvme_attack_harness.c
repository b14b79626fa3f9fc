/*
 * nvme_attack_harness.c — run one NVMe tenant attack on a fresh machine
 * and judge it from state (nvme_attack.h).
 *
 * The cast: the attacker (unit 0) and the victim (unit 1). Once both are
 * set up the harness takes a snapshot and lets the attacker go; the
 * kernel's revocation hook takes another the moment the attacker's unit
 * is taken back (before the kernel deletes its queues and zeroes its
 * pool); then the victim checks its own data and runs one more verified
 * write and read. What is compared:
 *   controller  CC, CSTS, AQA, ASQ, ACQ, INTMS; the admin queue's heads
 *               and tails; invalid doorbell writes, resets, fatal status;
 *   victim      its queue pair's heads and tails, its buffer page and its
 *               namespace's blocks (read by the harness), and its own
 *               checks afterwards;
 *   kernel      its private page (the secret);
 *   leak        whether the victim's data or the kernel's secret is in
 *               the attacker's namespace or landing page.
 * An attack succeeded only with evidence in that state; it was refused
 * only if its command failed and the controller's counters agree (a DMA
 * fault for Data Transfer Error, a refusal for Invalid Namespace).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "dev/nvme.h"
#include "eval/nvme_attack.h"
#include "eval/scenario.h"
#include "machine/cpu.h"
#include "machine/phys.h"

#define MAX_ROUNDS	300
#define NS_BYTES	(1u << 20)	/* each namespace */

static const struct {
	uint32_t off;
	const char *name;
} regs[] = {
	{ NVME_CC, "CC" }, { NVME_CSTS, "CSTS" }, { NVME_AQA, "AQA" },
	{ NVME_ASQ, "ASQ" }, { NVME_ASQ + 4, "ASQ.hi" }, { NVME_ACQ, "ACQ" },
	{ NVME_ACQ + 4, "ACQ.hi" }, { NVME_INTMS, "INTMS" },
};
#define NREGS	(sizeof regs / sizeof regs[0])

/* --- the victim -------------------------------------------------------- */

struct nvictim {
	int open_rc;
	volatile bool ready, after;
	bool setup_ok, buf_ok, ns_ok, io_ok;
	int io_rc;
	struct nvdrv d;
};

/* NLB of one page. */
static unsigned
page_blocks(const struct nvdrv *d)
{
	return NATK_PAGE / d->lba_size;
}

static bool
read_is(struct nvdrv *d, uint64_t slba, const uint8_t *want, int *rc)
{
	uint8_t got[NATK_PAGE];

	*rc = nvdrv_read(d, slba, page_blocks(d), got);
	return *rc == 0 && memcmp(got, want, sizeof got) == 0;
}

static void
victim_main(void *arg)
{
	struct nvictim *v = arg;
	uint8_t ns[NATK_PAGE], buf[NATK_PAGE], got[NATK_PAGE];
	int rc;

	if ((v->open_rc = nvdrv_open(&v->d, 0, NATK_VICTIM_UNIT)) != 0)
		sys_exit(2);
	/* Its namespace's first page, and a page of its pool. */
	nvme_attack_pattern(ns, nvme_attack_ns_mark);
	nvme_attack_pattern(buf, nvme_attack_buf_mark);
	v->setup_ok = nvdrv_write(&v->d, 0, page_blocks(&v->d), ns) == 0 &&
	    read_is(&v->d, 0, ns, &rc);
	stbytes(v->d.buf, (int64_t)NATK_VPAGE * NATK_PAGE, buf, sizeof buf);
	v->ready = true;
	for (int i = 0; i < MAX_ROUNDS && !v->after; i++)
		sys_yield();
	/* Afterwards: its data as it left it, and its queue still its own. */
	ldbytes(v->d.buf, (int64_t)NATK_VPAGE * NATK_PAGE, got, sizeof got);
	v->buf_ok = memcmp(got, buf, sizeof got) == 0;
	v->ns_ok = read_is(&v->d, 0, ns, &rc);
	memset(buf, 0x5c, sizeof buf);
	v->io_rc = nvdrv_write(&v->d, 16, page_blocks(&v->d), buf);
	v->io_ok = v->io_rc == 0 && read_is(&v->d, 16, buf, &v->io_rc);
	sys_exit(v->setup_ok && v->buf_ok && v->ns_ok && v->io_ok ? 0 : 1);
}

/* --- snapshots ---------------------------------------------------------- */

struct nstate {
	uint32_t reg[NREGS];
	struct nvme_queue_state admin, victim;
	struct nvme_counters cnt;
	uint8_t vbuf[NATK_PAGE];	/* the victim's pool page */
	uint8_t vns[NATK_PAGE];		/* its namespace's first page */
};

struct nrun {
	const struct nvme_attack *a;
	struct kernel *k;
	struct nvme *dev;
	struct phys *ph;
	uint64_t bar;
	struct natk_ctx c;
	struct nvictim v;
	int apid, vpid;
	struct nstate owned, leave;
	bool have_owned, have_leave;
	uint64_t vbuf_pa, apage_pa;
	uint8_t apage[NATK_PAGE];	/* its landing page as it left it */
	uint8_t kmem_boot[NATK_PAGE];
};

static void
snapshot(struct nrun *r, struct nstate *s)
{
	for (size_t i = 0; i < NREGS; i++) {
		uint64_t v = 0;

		phys_bus_read(r->ph, r->bar + regs[i].off, 4, &v);
		s->reg[i] = (uint32_t)v;
	}
	nvme_queue_state(r->dev, 0, &s->admin);
	nvme_queue_state(r->dev, NATK_VICTIM_UNIT + 1, &s->victim);
	nvme_get_counters(r->dev, &s->cnt);
	phys_read(r->ph, r->vbuf_pa, s->vbuf, sizeof s->vbuf);
	if (nvme_ns_peek(r->dev, r->v.d.nsid, 0, s->vns, sizeof s->vns) != 0)
		memset(s->vns, 0, sizeof s->vns);
}

static void
on_revoke(void *arg, int dev, int pid)
{
	struct nrun *r = arg;

	if (dev != 0 || pid != r->apid || r->have_leave ||
	    r->c.stage < ATK_ATTACKING)
		return;
	snapshot(r, &r->leave);
	phys_read(r->ph, r->apage_pa, r->apage, sizeof r->apage);
	r->have_leave = true;
}

static int
boot(struct nrun *r, enum nvme_arm arm, const struct natk_opts *o,
    char *err, size_t errlen)
{
	struct board_desc bd;
	struct kernel_opts ko;
	struct board *b;

	scenario_nvme_board(&bd, NS_BYTES, arm == NARM_ISOLATED);
	bd.ram_size = 64ull << 20;
	kernel_opts_default(&ko);
	ko.host_syscalls = false;
	ko.arm = arm == NARM_PAGE ? ARM_PAGE : ARM_CAPIO;
	ko.iommu = o->iommu;
	if ((r->k = kernel_boot(board_new(&bd, err, errlen), &ko, err,
	    errlen)) == NULL)
		return -1;
	b = kernel_board(r->k);
	r->dev = board_nvme(b, 0);
	r->ph = board_phys(b);
	r->bar = board_dev(b, 0)->bar;
	/* The secret the DMA attacks aim at, in memory no one is granted. */
	phys_write(r->ph, kernel_private_page(r->k), attack_secret,
	    sizeof attack_secret);
	phys_read(r->ph, kernel_private_page(r->k), r->kmem_boot,
	    sizeof r->kmem_boot);
	r->c.secret_pa = kernel_private_page(r->k);
	kernel_set_revoke_hook(r->k, on_revoke, r);
	return 0;
}

static bool
alive(const struct nrun *r, int pid)
{
	struct proc_info pi;

	return kernel_proc_info(r->k, pid, &pi) == 0 &&
	    pi.state == PROC_RUNNABLE;
}

/* Both set up: where their pages are, what the attacker is told, the
 * snapshot; then go. */
static void
take_owned(struct nrun *r)
{
	uint64_t va;

	va = cheri_base_get(r->v.d.buf) + (uint64_t)NATK_VPAGE * NATK_PAGE;
	if (kernel_proc_translate(r->k, r->vpid, va, &r->vbuf_pa) != 0)
		return;
	va = cheri_base_get(r->c.d.buf) + (uint64_t)NATK_APAGE * NATK_PAGE;
	if (kernel_proc_translate(r->k, r->apid, va, &r->apage_pa) != 0)
		return;
	r->c.victim_buf_dma = r->v.d.buf_dma;
	r->c.victim_nsid = r->v.d.nsid;
	snapshot(r, &r->owned);
	r->have_owned = true;
	r->c.go = true;
}

static void
between_rounds(struct nrun *r)
{
	if (!r->have_owned && r->c.stage == ATK_READY && r->v.ready &&
	    alive(r, r->apid) && alive(r, r->vpid))
		take_owned(r);
	if (r->have_owned && !r->v.after && !alive(r, r->apid))
		r->v.after = true;
}

/* --- the judgement ------------------------------------------------------- */

static bool
diff_u(char *out, size_t n, const char *what, uint64_t a, uint64_t b)
{
	if (a == b)
		return true;
	atk_append(out, n, "%s%s %llu->%llu", out[0] ? "; " : "", what,
	    (unsigned long long)a, (unsigned long long)b);
	return false;
}

static bool
diff_queue(char *out, size_t n, const char *q,
    const struct nvme_queue_state *a, const struct nvme_queue_state *b)
{
	char w[40];
	bool same = true;

	if (a->sq_live != b->sq_live || a->cq_live != b->cq_live) {
		atk_append(out, n, "%s%s %s", out[0] ? "; " : "", q,
		    b->sq_live || b->cq_live ? "recreated" : "deleted");
		return false;
	}
	snprintf(w, sizeof w, "%s SQ tail", q);
	same &= diff_u(out, n, w, a->sq_tail, b->sq_tail);
	snprintf(w, sizeof w, "%s SQ head", q);
	same &= diff_u(out, n, w, a->sq_head, b->sq_head);
	snprintf(w, sizeof w, "%s CQ tail", q);
	same &= diff_u(out, n, w, a->cq_tail, b->cq_tail);
	snprintf(w, sizeof w, "%s CQ head", q);
	same &= diff_u(out, n, w, a->cq_head, b->cq_head);
	return same;
}

static bool
ctrl_same(const struct nstate *a, const struct nstate *b, char *out,
    size_t n)
{
	bool same = true;

	for (size_t i = 0; i < NREGS; i++)
		if (a->reg[i] != b->reg[i]) {
			atk_append(out, n, "%s%s 0x%08x->0x%08x", out[0] ? "; " : "",
			    regs[i].name, a->reg[i], b->reg[i]);
			same = false;
		}
	same &= diff_queue(out, n, "admin queue", &a->admin, &b->admin);
	same &= diff_u(out, n, "invalid doorbell writes",
	    a->cnt.bad_doorbells, b->cnt.bad_doorbells);
	same &= diff_u(out, n, "controller resets", a->cnt.resets,
	    b->cnt.resets);
	same &= diff_u(out, n, "fatal status", a->cnt.fatal, b->cnt.fatal);
	return same;
}

static bool
victim_same(struct nrun *r, char *out, size_t n)
{
	const struct nstate *a = &r->owned, *b = &r->leave;
	struct proc_info pi;
	bool same = diff_queue(out, n, "queue 2", &a->victim, &b->victim);

	if (memcmp(a->vbuf, b->vbuf, sizeof a->vbuf) != 0) {
		atk_append(out, n, "%sthe victim's buffer page overwritten",
		    out[0] ? "; " : "");
		same = false;
	}
	if (memcmp(a->vns, b->vns, sizeof a->vns) != 0) {
		atk_append(out, n, "%sthe victim's namespace blocks overwritten",
		    out[0] ? "; " : "");
		same = false;
	}
	memset(&pi, 0, sizeof pi);
	pi.status = "never started";
	kernel_proc_info(r->k, r->vpid, &pi);
	if (pi.state != PROC_EXITED || pi.exit_code != 0) {
		atk_append(out, n, "%svictim %s (its buffer %s, its blocks read "
		    "back %s, its next write and read %s)", out[0] ? "; " : "",
		    pi.status, r->v.buf_ok ? "intact" : "CHANGED",
		    r->v.ns_ok ? "right" : "WRONG",
		    r->v.io_ok ? "verified" : "FAILED");
		same = false;
	}
	return same;
}

/* The victim's data or the secret where the attacker can read it. */
static bool
find_leak(struct nrun *r, struct natk_result *res)
{
	static const struct {
		const void *mark;
		const char *what;
	} marks[] = {
		{ nvme_attack_ns_mark, "the victim's namespace data" },
		{ nvme_attack_buf_mark, "the victim's buffer page" },
		{ attack_secret, "the kernel's secret" },
	};
	uint8_t ns[NATK_PAGE];

	if (nvme_ns_peek(r->dev, r->c.d.nsid, (uint64_t)NATK_LBA *
	    r->c.d.lba_size, ns, sizeof ns) != 0)
		memset(ns, 0, sizeof ns);
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		const char *where = NULL;

		if (memmem(ns, sizeof ns, marks[i].mark, NATK_MARK_LEN))
			where = "its own namespace";
		else if (memmem(r->apage, sizeof r->apage, marks[i].mark,
		    NATK_MARK_LEN))
			where = "its own buffer";
		if (where != NULL) {
			snprintf(res->leak, sizeof res->leak, "%s, in %s",
			    marks[i].what, where);
			return true;
		}
	}
	return false;
}

static const char *
status_name(int st)
{
	switch (st & 0x7FF) {
	case NVME_SC_DATA_XFER_ERROR:	return "Data Transfer Error";
	case NVME_SC_INVALID_NS:	return "Invalid Namespace or Format";
	default:			return "error";
	}
}

/* A failed command, and the controller's counters that agree with it. */
static void
refused(struct nrun *r, struct natk_result *res)
{
	const struct nvme_counters *a = &r->owned.cnt, *b = &r->leave.cnt;
	uint64_t dma = b->dma_faults - a->dma_faults;
	uint64_t ns = b->ns_refused - a->ns_refused;
	int st = r->c.status & 0x7FF;

	res->outcome = OUT_ERROR;
	if (st == NVME_SC_DATA_XFER_ERROR && dma > 0) {
		res->outcome = OUT_REFUSED;
		snprintf(res->cause, sizeof res->cause, "%s: the %s stopped "
		    "the controller's DMA (%llu fault%s)", status_name(st),
		    r->k != NULL && nvme_queue_isolation(r->dev) ?
		    "queue's own IOMMU context" : "IOMMU",
		    (unsigned long long)dma, dma == 1 ? "" : "s");
	} else if (st == NVME_SC_INVALID_NS && ns > 0) {
		res->outcome = OUT_REFUSED;
		snprintf(res->cause, sizeof res->cause, "%s: namespace %u is "
		    "not bound to its queue (%llu refused)", status_name(st),
		    r->c.victim_nsid, (unsigned long long)ns);
	} else
		snprintf(res->cause, sizeof res->cause, "status 0x%x (%s) and "
		    "no counter that agrees: %llu DMA faults, %llu namespace "
		    "refusals", r->c.status, status_name(st),
		    (unsigned long long)dma, (unsigned long long)ns);
}

static void
judge(struct nrun *r, struct natk_result *res)
{
	struct proc_info pi;
	uint8_t kmem[NATK_PAGE];

	memset(&pi, 0, sizeof pi);
	pi.status = "never started";
	kernel_proc_info(r->k, r->apid, &pi);
	res->changed[0] = '\0';
	if (!r->have_owned || !r->have_leave || !r->v.setup_ok ||
	    r->c.setup_error[0] != '\0' || r->c.stage < ATK_ATTACKING) {
		res->outcome = OUT_ERROR;
		snprintf(res->cause, sizeof res->cause, "setup: %s",
		    r->c.setup_error[0] ? r->c.setup_error :
		    r->v.open_rc != 0 ? "the victim could not open unit 1" :
		    !r->v.setup_ok && r->v.ready ? "the victim's own data "
		    "did not verify" : pi.status);
		return;
	}
	res->ctrl_ok = ctrl_same(&r->owned, &r->leave, res->changed,
	    sizeof res->changed);
	res->victim_ok = victim_same(r, res->changed, sizeof res->changed);
	phys_read(r->ph, kernel_private_page(r->k), kmem, sizeof kmem);
	res->kmem_ok = memcmp(kmem, r->kmem_boot, sizeof kmem) == 0;
	if (!res->kmem_ok)
		atk_append(res->changed, sizeof res->changed, "%sthe kernel's "
		    "private page", res->changed[0] ? "; " : "");
	res->leaked = find_leak(r, res);

	if (pi.faulted && r->c.stage == ATK_ATTACKING) {
		char why[200];

		fault_format(&pi.fault, why, sizeof why);
		res->outcome = OUT_TRAPPED;
		snprintf(res->cause, sizeof res->cause, "%s", why);
	} else if (res->leaked || !res->ctrl_ok || !res->victim_ok ||
	    !res->kmem_ok) {
		res->outcome = OUT_SUCCEEDED;
		snprintf(res->cause, sizeof res->cause, "%s", r->c.note[0] ?
		    r->c.note : "the step completed");
	} else if (r->c.status > 0)
		refused(r, res);
	else {
		res->outcome = OUT_ERROR;
		snprintf(res->cause, sizeof res->cause, "no evidence either "
		    "way (%s; %s)", r->c.status < 0 ?
		    capio_strerror(r->c.status) : "status 0",
		    r->c.note[0] ? r->c.note : pi.status);
	}
}

void
nvme_attack_run(const struct nvme_attack *a, enum nvme_arm arm,
    const struct natk_opts *o, struct natk_result *res)
{
	struct nrun *r = calloc(1, sizeof *r);
	char err[256];

	memset(res, 0, sizeof *res);
	res->outcome = OUT_ERROR;	/* until judged */
	snprintf(res->cause, sizeof res->cause, "out of memory");
	if (r == NULL)
		return;
	r->a = a;
	r->c.attack = a;
	if (boot(r, arm, o, err, sizeof err) == 0) {
		r->apid = kernel_spawn(r->k, a->name, nvme_attack_process,
		    &r->c);
		r->vpid = kernel_spawn(r->k, "victim", victim_main, &r->v);
		for (int round = 0; round < MAX_ROUNDS; round++) {
			int left = kernel_run(r->k, 1);

			between_rounds(r);
			if (left == 0)
				break;
		}
		judge(r, res);
		kernel_set_revoke_hook(r->k, NULL, NULL);
	} else
		snprintf(res->cause, sizeof res->cause, "boot: %.200s", err);
	kernel_halt(r->k);
	free(r);
}
