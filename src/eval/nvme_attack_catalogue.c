/*
 * nvme_attack_catalogue.c — the NVMe tenant attacks of docs/nvme.md
 * ("Where slicing stops"), one process body each, and the prologue that
 * opens the attacker's own queue pair as the user-level driver does.
 *
 * Each body uses only what a tenant has: its slices (SQT, CQH, CSTS; the
 * pages around them under the page arm), its rings and buffer pool, and
 * the SQ entries it writes itself. A body marks its malicious step
 * (ATK_ATTACKING); a fault from there on is the attack trapped. It
 * reports its command's status and what it saw; the harness
 * (nvme_attack_harness.c) judges from the controller's, the victim's and
 * the kernel's state, not from that report.
 */
#include <stdio.h>
#include <string.h>

#include "dev/nvme_regs.h"
#include "eval/nvme_attack.h"
#include "machine/cpu.h"

const char nvme_attack_ns_mark[NATK_MARK_LEN + 1] = "VICTIM-NAMESPACE";
const char nvme_attack_buf_mark[NATK_MARK_LEN + 1] = "VICTIM-DMA-BUFFR";
static const char atk_mark[NATK_MARK_LEN + 1] = "NVME-ATTACKER-WR";

/* Pages of the attacker's pool a takeover of the admin queue uses. */
#define TAKE_ID		59u	/* Identify data */
#define TAKE_ASQ	60u
#define TAKE_ACQ	61u

void
nvme_attack_pattern(uint8_t *page, const char *mark)
{
	for (unsigned i = 0; i < NATK_PAGE; i += 64) {
		memcpy(page + i, mark, NATK_MARK_LEN);
		memset(page + i + NATK_MARK_LEN, (int)(i / 64), 64 -
		    NATK_MARK_LEN);
	}
}

static void
attacking(struct natk_ctx *c)
{
	c->stage = ATK_ATTACKING;
}

/* From register FROM (where a slice is) to register TO: both arms give a
 * slice capability whose address is its register's. */
static int64_t
rel(uint32_t to, uint32_t from)
{
	return (int64_t)to - (int64_t)from;
}

static uint64_t
pool_dma(const struct natk_ctx *c, unsigned page)
{
	return c->d.buf_dma + (uint64_t)page * NATK_PAGE;
}

/* Printable start of B, for notes. */
static void
printable(char *out, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
	out[i] = '\0';
}

/* --- 1. doorbells on the shared page ------------------------------------ */

static void
ring(struct natk_ctx *c, uint32_t reg, uint32_t v, const char *whose)
{
	attacking(c);
	st32(c->d.sqt, rel(reg, NVME_SQTDBL(1)), v);
	snprintf(c->note, sizeof c->note, "stored %u to %s", v, whose);
}

static void
sq_doorbell(struct natk_ctx *c)
{
	ring(c, NVME_SQTDBL(2), 1, "the victim's SQ tail doorbell SQ2TDBL");
}

static void
cq_doorbell(struct natk_ctx *c)
{
	ring(c, NVME_CQHDBL(2), 1, "the victim's CQ head doorbell CQ2HDBL");
}

static void
admin_sq_doorbell(struct natk_ctx *c)
{
	/* The kernel's admin tail is unknown: two values, so that at least
	 * one differs from it. */
	attacking(c);
	st32(c->d.sqt, rel(NVME_SQTDBL(0), NVME_SQTDBL(1)), 15);
	st32(c->d.sqt, rel(NVME_SQTDBL(0), NVME_SQTDBL(1)), 7);
	snprintf(c->note, sizeof c->note, "stored 15, then 7, to the admin SQ "
	    "tail doorbell SQ0TDBL");
}

static void
admin_cq_doorbell(struct natk_ctx *c)
{
	ring(c, NVME_CQHDBL(0), 1, "the admin CQ head doorbell CQ0HDBL");
}

/* --- 2. controller registers on page 0 ---------------------------------- */

static void
cc_disable(struct natk_ctx *c)
{
	attacking(c);
	st32(c->d.csts, rel(NVME_CC, NVME_CSTS), 0);
	snprintf(c->note, sizeof c->note, "cleared CC.EN: CSTS now 0x%08x",
	    ld32(c->d.csts, 0));
}

static void
aqa_write(struct natk_ctx *c)
{
	attacking(c);
	st32(c->d.csts, rel(NVME_AQA, NVME_CSTS), 1u << 16 | 1u);
	snprintf(c->note, sizeof c->note, "AQA reads back 0x%08x",
	    ld32(c->d.csts, rel(NVME_AQA, NVME_CSTS)));
}

static void
st64_split(cap_t cs, uint32_t reg, uint64_t v)
{
	st32(cs, rel(reg, NVME_CSTS), (uint32_t)v);
	st32(cs, rel(reg + 4, NVME_CSTS), (uint32_t)(v >> 32));
}

/*
 * ASQ and ACQ pointed at queues in the attacker's own pool, the
 * controller reset and enabled on them, and an admin command of its own
 * run: whoever holds page 0 holds the admin queue.
 */
static void
asq_takeover(struct natk_ctx *c)
{
	cap_t cs = c->d.csts, b = c->d.buf;
	int64_t e = (int64_t)TAKE_ASQ * NATK_PAGE;
	int64_t q = (int64_t)TAKE_ACQ * NATK_PAGE;
	char mn[24];
	uint8_t id[20];
	uint16_t sf = 0;

	for (int64_t off = 0; off < NATK_PAGE; off += 8) {
		st64(b, e + off, 0);
		st64(b, q + off, 0);
	}
	st32(b, e + NVME_SQE_OPC, NVME_ADM_IDENTIFY | 0x7777u << 16);
	st64(b, e + NVME_SQE_PRP1, pool_dma(c, TAKE_ID));
	st32(b, e + NVME_SQE_CDW(10), NVME_CNS_CTRL);
	attacking(c);
	st32(cs, rel(NVME_CC, NVME_CSTS), 0);
	st32(cs, rel(NVME_AQA, NVME_CSTS), 1u << 16 | 1u);
	st64_split(cs, NVME_ASQ, pool_dma(c, TAKE_ASQ));
	st64_split(cs, NVME_ACQ, pool_dma(c, TAKE_ACQ));
	st32(cs, rel(NVME_CC, NVME_CSTS), NVME_CC_EN |
	    (uint32_t)NVME_SQES_LOG2 << 16 | (uint32_t)NVME_CQES_LOG2 << 20);
	st32(c->d.sqt, rel(NVME_SQTDBL(0), NVME_SQTDBL(1)), 1);
	sf = ld16(b, q + NVME_CQE_STATUS);
	ldbytes(b, (int64_t)TAKE_ID * NATK_PAGE + 24, id, sizeof id);
	printable(mn, id, 10);
	snprintf(c->note, sizeof c->note, "ASQ/ACQ now in its own pool; its "
	    "Identify Controller completed with status 0x%x%s, model \"%s\"",
	    sf >> 1, (sf & 1) ? "" : " (no completion)", mn);
}

/* --- 3. DMA through another tenant's buffers ----------------------------- */

static void
dma_read_victim(struct natk_ctx *c)
{
	uint8_t got[NATK_PAGE];
	char s[NATK_MARK_LEN + 1];

	attacking(c);
	/* A Write whose data is the victim's page: it lands in ours. */
	c->status = nvdrv_cmd(&c->d, NVME_CMD_WRITE, c->d.nsid,
	    c->victim_buf_dma + (uint64_t)NATK_VPAGE * NATK_PAGE, NATK_LBA,
	    NATK_PAGE / c->d.lba_size);
	if (c->status != 0)
		return;
	if (nvdrv_read(&c->d, NATK_LBA, NATK_PAGE / c->d.lba_size, got) != 0)
		return;
	printable(s, got, NATK_MARK_LEN);
	snprintf(c->note, sizeof c->note, "its Write took the victim's buffer "
	    "page as data; read back from its own namespace: \"%s\"", s);
}

static void
dma_write_victim(struct natk_ctx *c)
{
	uint8_t page[NATK_PAGE];

	nvme_attack_pattern(page, atk_mark);
	if ((c->status = nvdrv_write(&c->d, NATK_LBA,
	    NATK_PAGE / c->d.lba_size, page)) != 0) {
		snprintf(c->setup_error, sizeof c->setup_error,
		    "its own write failed: status 0x%x", c->status);
		return;
	}
	attacking(c);
	/* A Read whose destination is the victim's page. */
	c->status = nvdrv_cmd(&c->d, NVME_CMD_READ, c->d.nsid,
	    c->victim_buf_dma + (uint64_t)NATK_VPAGE * NATK_PAGE, NATK_LBA,
	    NATK_PAGE / c->d.lba_size);
	snprintf(c->note, sizeof c->note, "its Read named the victim's buffer "
	    "page as destination");
}

static void
dma_kernel(struct natk_ctx *c)
{
	attacking(c);
	c->status = nvdrv_cmd(&c->d, NVME_CMD_WRITE, c->d.nsid, c->secret_pa,
	    NATK_LBA, NATK_PAGE / c->d.lba_size);
	snprintf(c->note, sizeof c->note, "its Write took the kernel's page "
	    "0x%llx as data", (unsigned long long)c->secret_pa);
}

/* --- 4. another tenant's namespace -------------------------------------- */

static void
ns_read_victim(struct natk_ctx *c)
{
	char s[NATK_MARK_LEN + 1];
	uint8_t got[NATK_MARK_LEN];

	attacking(c);
	c->status = nvdrv_cmd(&c->d, NVME_CMD_READ, c->victim_nsid,
	    pool_dma(c, NATK_APAGE), 0, NATK_PAGE / c->d.lba_size);
	if (c->status != 0)
		return;
	ldbytes(c->d.buf, (int64_t)NATK_APAGE * NATK_PAGE, got, sizeof got);
	printable(s, got, sizeof got);
	snprintf(c->note, sizeof c->note, "read namespace %u into its own "
	    "pool: \"%s\"", c->victim_nsid, s);
}

static void
ns_write_victim(struct natk_ctx *c)
{
	uint8_t page[NATK_PAGE];

	nvme_attack_pattern(page, atk_mark);
	stbytes(c->d.buf, (int64_t)NATK_APAGE * NATK_PAGE, page, NATK_PAGE);
	attacking(c);
	c->status = nvdrv_cmd(&c->d, NVME_CMD_WRITE, c->victim_nsid,
	    pool_dma(c, NATK_APAGE), 0, NATK_PAGE / c->d.lba_size);
	snprintf(c->note, sizeof c->note, "wrote its own page over blocks "
	    "0-%u of namespace %u", NATK_PAGE / c->d.lba_size - 1,
	    c->victim_nsid);
}

/* --- the prologue ------------------------------------------------------ */

void
nvme_attack_process(void *arg)
{
	struct natk_ctx *c = arg;
	int rc;

	c->stage = ATK_SETUP;
	if ((rc = nvdrv_open(&c->d, 0, 0)) != 0) {
		snprintf(c->setup_error, sizeof c->setup_error, "open unit 0: "
		    "%s", capio_strerror(rc));
		return;
	}
	c->stage = ATK_READY;
	for (int i = 0; !c->go; i++) {
		if (i == 1000) {
			snprintf(c->setup_error, sizeof c->setup_error,
			    "the harness never said go");
			return;
		}
		sys_yield();
	}
	c->attack->body(c);
	if (c->setup_error[0] == '\0' && c->stage == ATK_ATTACKING)
		c->stage = ATK_DONE;
}

/* --- the catalogue ----------------------------------------------------- */

const struct nvme_attack nvme_attack_catalogue[] = {
	{ "n1a", 1, "sq-doorbell", "ring the victim's SQ tail doorbell "
	  "(SQ2TDBL, 8 bytes above its own)", sq_doorbell, NSTOP_SLICES },
	{ "n1b", 1, "cq-doorbell", "write the victim's CQ head doorbell "
	  "(CQ2HDBL)", cq_doorbell, NSTOP_SLICES },
	{ "n1c", 1, "admin-sq-doorbell", "ring the admin queue's SQ tail "
	  "doorbell (SQ0TDBL, the kernel's)", admin_sq_doorbell, NSTOP_SLICES },
	{ "n1d", 1, "admin-cq-doorbell", "write the admin queue's CQ head "
	  "doorbell (CQ0HDBL)", admin_cq_doorbell, NSTOP_SLICES },
	{ "n2a", 2, "cc-disable", "clear CC.EN through the CSTS slice: a "
	  "controller reset", cc_disable, NSTOP_SLICES },
	{ "n2b", 2, "aqa-write", "write AQA through the CSTS slice",
	  aqa_write, NSTOP_SLICES },
	{ "n2c", 2, "asq-takeover", "point ASQ/ACQ at its own pool, reset and "
	  "enable, run its own admin command", asq_takeover, NSTOP_SLICES },
	{ "n3a", 3, "dma-read-victim", "a Write whose PRP is the victim's "
	  "buffer: its data into our namespace", dma_read_victim,
	  NSTOP_ISOLATION },
	{ "n3b", 3, "dma-write-victim", "a Read whose PRP is the victim's "
	  "buffer: our data over it", dma_write_victim, NSTOP_ISOLATION },
	{ "n3c", 3, "dma-kernel", "a Write whose PRP is the kernel's memory",
	  dma_kernel, NSTOP_IOMMU },
	{ "n4a", 4, "ns-read-victim", "a Read naming the victim's namespace",
	  ns_read_victim, NSTOP_ISOLATION },
	{ "n4b", 4, "ns-write-victim", "a Write naming the victim's namespace",
	  ns_write_victim, NSTOP_ISOLATION },
};
const size_t nvme_attack_count = sizeof nvme_attack_catalogue /
    sizeof nvme_attack_catalogue[0];

bool
nvme_attack_must_stop(const struct nvme_attack *a, enum nvme_arm arm)
{
	switch (a->stopper) {
	case NSTOP_SLICES:
		return arm != NARM_PAGE;
	case NSTOP_ISOLATION:
		return arm == NARM_ISOLATED;
	case NSTOP_IOMMU:
		return true;
	}
	return true;
}

const char *
nvme_arm_name(enum nvme_arm arm)
{
	switch (arm) {
	case NARM_PAGE:		return "page";
	case NARM_CAPIO:	return "capio";
	case NARM_ISOLATED:	return "isolated";
	default:		return "?";
	}
}

const char *
nvme_stopper_name(enum nvme_stopper s)
{
	switch (s) {
	case NSTOP_SLICES:	return "slices";
	case NSTOP_ISOLATION:	return "queue isolation";
	case NSTOP_IOMMU:	return "IOMMU";
	}
	return "?";
}
