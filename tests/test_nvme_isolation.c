/*
 * test_nvme_isolation.c — the controller's queue isolation extension
 * (dev/nvme_isolation.c, docs/nvme.md "Queue isolation"): off, the
 * controller is the specification's (one DMA context, any namespace
 * from any queue, the Bind Queue opcode unknown); on, each I/O queue's
 * DMA goes through its own IOMMU context, so a PRP or PRP list outside
 * the queue's windows completes with Data Transfer Error and moves no
 * byte, an entry fetched from outside them is a controller fatal status,
 * and a command naming a namespace other than its queue's binding
 * completes with Invalid Namespace or Format and changes nothing.
 *
 * Queue 1's windows: its SQ and CQ and data window A; queue 2's: its SQ
 * and CQ and data window B. The admin queue keeps the controller's
 * context (the whole read/write window).
 */
#include <stdio.h>
#include <string.h>

#include "test_nvme_world.h"

#define WIN_A		0x110000u	/* queue 1's data */
#define WIN_B		0x120000u	/* queue 2's data */
#define WIN_SIZE	0x10000u
#define SC(s)		((uint16_t)((s) & 0x7FF))

static void
two_ns(struct nvme_config *cfg)
{
	nvme_default_config(cfg);
	cfg->nqueues = 3;
	cfg->nnamespaces = 2;
	cfg->namespaces[1].size_bytes = 1u << 20;
	cfg->namespaces[1].block_size = 512;
}

/* Queue q's context: its rings, and its data window if it has one. */
static void
queue_ctx(struct nworld *w, unsigned q, uint64_t data)
{
	w->qio[q] = iommu_new(w->phys, "nvme0 queue");
	CHECK(w->qio[q] != NULL);
	iommu_set_fault_handler(w->qio[q], nw_fault, w);
	CHECK(iommu_map(w->qio[q], sq_base(q), sq_base(q), 0x1000,
	    IOMMU_READ) == 0);
	CHECK(iommu_map(w->qio[q], cq_base(q), cq_base(q), 0x1000,
	    IOMMU_WRITE) == 0);
	if (data != 0)
		CHECK(iommu_map(w->qio[q], data, data, WIN_SIZE,
		    IOMMU_READ | IOMMU_WRITE) == 0);
}

/* An isolated controller, enabled; queues 1 and 2 created (unbound). */
static void
isolated(struct nworld *w)
{
	struct nvme_config cfg;

	two_ns(&cfg);
	nworld_machine(w);
	queue_ctx(w, 1, WIN_A);
	queue_ctx(w, 2, WIN_B);
	queue_ctx(w, 3, 0);	/* no data window at all */
	cfg.queue_isolation = true;
	cfg.queue_dma = w->qio;
	nworld_device(w, &cfg);
	nworld_enable(w);
	nworld_ioq(w, 1, 16, false);
	nworld_ioq(w, 2, 16, false);
}

static uint16_t
io(struct nworld *w, unsigned q, uint8_t opc, uint32_t nsid, uint64_t slba,
    uint32_t nlb, uint64_t prp1, uint64_t prp2)
{
	return SC(ncmd(w, q, opc, nsid, prp1, prp2, (uint32_t)slba,
	    (uint32_t)(slba >> 32), nlb - 1));
}

static uint16_t
bind(struct nworld *w, uint32_t qid, uint32_t nsid)
{
	return SC(ncmd(w, 0, NVME_ADM_CAPIO_BIND_QUEUE, 0, 0, 0, qid, nsid, 0));
}

static void
fill(struct nworld *w, uint64_t pa, uint8_t v, size_t len)
{
	memset(phys_ram_ptr(w->phys, pa, len), v, len);
}

static bool
all(struct nworld *w, uint64_t pa, uint8_t v, size_t len)
{
	const uint8_t *p = phys_ram_ptr(w->phys, pa, len);

	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static bool
ns_all(struct nworld *w, uint32_t nsid, uint64_t off, uint8_t v, size_t len)
{
	uint8_t b[4096];

	if (len > sizeof b || nvme_ns_peek(w->dev, nsid, off, b, len) != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (b[i] != v)
			return false;
	return true;
}

/* --- off: the specification's controller --------------------------------- */

static void
test_off(void)
{
	struct nworld w;
	struct nvme_config cfg;
	struct nvme_counters c;

	two_ns(&cfg);
	nworld_init_cfg(&w, &cfg);
	nworld_enable(&w);
	nworld_ioq(&w, 1, 16, false);
	CHECK(!nvme_queue_isolation(w.dev));
	/* The vendor-specific opcode is unknown to it. */
	CHECK_EQ(bind(&w, 1, 1), NVME_SC_INVALID_OPCODE);
	/* One DMA context: queue 1 reaches window B, and namespace 2. */
	fill(&w, WIN_B, 0x42, 512);
	CHECK_EQ(io(&w, 1, NVME_CMD_WRITE, 2, 5, 1, WIN_B, 0), 0);
	CHECK(ns_all(&w, 2, 5 * 512, 0x42, 512));
	CHECK_EQ(io(&w, 1, NVME_CMD_READ, 2, 5, 1, WIN_A, 0), 0);
	CHECK(all(&w, WIN_A, 0x42, 512));
	CHECK_EQ(nvme_queue_nsid(w.dev, 1), 0);
	nvme_get_counters(w.dev, &c);
	CHECK_EQ(c.ns_refused, 0);
	CHECK_EQ(c.dma_faults, 0);
	CHECK(ncanary_intact(&w));
	nworld_free(&w);
}

static void
test_config(void)
{
	struct nworld w;
	struct nvme_config cfg;
	struct iommu *partial[4] = { NULL, NULL, NULL, NULL };
	char err[128] = "";

	two_ns(&cfg);
	nworld_machine(&w);
	cfg.queue_isolation = true;
	CHECK(nvme_new("nvme0", &cfg, w.io, err, sizeof err) == NULL);
	CHECK(strstr(err, "queue isolation") != NULL);
	/* Every I/O queue needs its context. */
	partial[1] = partial[2] = w.io;
	cfg.queue_dma = partial;
	err[0] = '\0';
	CHECK(nvme_new("nvme0", &cfg, w.io, err, sizeof err) == NULL);
	CHECK(strstr(err, "every I/O queue") != NULL);
	nworld_free(&w);
}

/* --- on: DMA through the queue's own windows ------------------------------ */

static void
test_dma_windows(void)
{
	struct nworld w;
	struct nvme_counters c0, c1;

	isolated(&w);
	CHECK(nvme_queue_isolation(w.dev));
	CHECK_EQ(bind(&w, 1, 1), 0);
	CHECK_EQ(bind(&w, 2, 2), 0);
	CHECK_EQ(nvme_queue_nsid(w.dev, 1), 1);
	CHECK_EQ(nvme_queue_nsid(w.dev, 2), 2);

	/* Inside its own window: a round trip. */
	fill(&w, WIN_A, 0x11, 4096);
	CHECK_EQ(io(&w, 1, NVME_CMD_WRITE, 1, 0, 8, WIN_A, 0), 0);
	fill(&w, WIN_A + 0x1000, 0, 4096);
	CHECK_EQ(io(&w, 1, NVME_CMD_READ, 1, 0, 8, WIN_A + 0x1000, 0), 0);
	CHECK(all(&w, WIN_A + 0x1000, 0x11, 4096));
	/* Queue 2 in its window, on its namespace. */
	fill(&w, WIN_B, 0x22, 512);
	CHECK_EQ(io(&w, 2, NVME_CMD_WRITE, 2, 0, 1, WIN_B, 0), 0);
	CHECK(ns_all(&w, 2, 0, 0x22, 512));

	nvme_get_counters(w.dev, &c0);
	/* A Write whose data is queue 2's buffer: nothing read, nothing
	 * written to the namespace. */
	CHECK_EQ(io(&w, 1, NVME_CMD_WRITE, 1, 0, 1, WIN_B, 0),
	    NVME_SC_DATA_XFER_ERROR);
	CHECK(ns_all(&w, 1, 0, 0x11, 512));
	/* A Read into queue 2's buffer: not a byte lands there. */
	CHECK_EQ(io(&w, 1, NVME_CMD_READ, 1, 0, 1, WIN_B, 0),
	    NVME_SC_DATA_XFER_ERROR);
	CHECK(all(&w, WIN_B, 0x22, 512));
	/* Two pages: the second (PRP2) in queue 2's window. */
	CHECK_EQ(io(&w, 1, NVME_CMD_READ, 1, 0, 16, WIN_A, WIN_B),
	    NVME_SC_DATA_XFER_ERROR);
	CHECK(all(&w, WIN_B, 0x22, 512) && all(&w, WIN_B + 512, 0, 512));
	/* A PRP list kept in queue 2's window. */
	{
		uint8_t list[16];

		put64le(list, WIN_A + 0x2000);
		put64le(list + 8, WIN_A + 0x3000);
		nram_write(&w, WIN_B + 0x8000, list, sizeof list);
		CHECK_EQ(io(&w, 1, NVME_CMD_READ, 1, 0, 24, WIN_A,
		    WIN_B + 0x8000), NVME_SC_DATA_XFER_ERROR);
		/* The same list in its own window works. */
		nram_write(&w, WIN_A + 0x8000, list, sizeof list);
		CHECK_EQ(io(&w, 1, NVME_CMD_READ, 1, 0, 24, WIN_A,
		    WIN_A + 0x8000), 0);
	}
	/* Queue 2 reaches neither queue 1's window nor the admin queue's. */
	CHECK_EQ(io(&w, 2, NVME_CMD_READ, 2, 0, 1, WIN_A, 0),
	    NVME_SC_DATA_XFER_ERROR);
	CHECK_EQ(io(&w, 2, NVME_CMD_READ, 2, 0, 1, N_ASQ, 0),
	    NVME_SC_DATA_XFER_ERROR);
	nvme_get_counters(w.dev, &c1);
	CHECK_EQ(c1.dma_faults - c0.dma_faults, 6);
	CHECK_EQ(c1.fatal, 0);
	/* The admin queue keeps the controller's context: an Identify
	 * into window B, which no I/O queue of these but 2 may use. */
	CHECK_EQ(SC(ncmd(&w, 0, NVME_ADM_IDENTIFY, 0, WIN_B + 0x4000, 0,
	    NVME_CNS_CTRL, 0, 0)), 0);
	CHECK(ncanary_intact(&w));
	nworld_free(&w);
}

/* The queue's entries come through its context too: a queue whose SQ
 * is outside it cannot be fetched (a controller fatal status). */
static void
test_ring_outside(void)
{
	struct nworld w;
	struct nvme_counters c;
	uint8_t sqe[64];

	isolated(&w);
	CHECK_EQ(bind(&w, 3, 1), 0);
	/* Queue 3 created on rings its context lacks (the controller's
	 * context has them). */
	CHECK_EQ(SC(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, 0x150000, 0,
	    15u << 16 | 3, 1, 0)), 0);
	CHECK_EQ(SC(ncmd(&w, 0, NVME_ADM_CREATE_SQ, 0, 0x151000, 0,
	    15u << 16 | 3, 3u << 16 | 1, 0)), 0);
	nsqe(sqe, NVME_CMD_FLUSH, 1, 1, 0, 0, NULL);
	nram_write(&w, 0x151000, sqe, sizeof sqe);
	nwr(&w, NVME_SQTDBL(3), 1);
	nvme_get_counters(w.dev, &c);
	CHECK_EQ(c.fatal, 1);
	CHECK(nrd(&w, NVME_CSTS) & NVME_CSTS_CFS);
	CHECK(ncanary_intact(&w));
	nworld_free(&w);
}

/* --- on: the namespace binding ------------------------------------------- */

static void
test_binding(void)
{
	struct nworld w;
	struct nvme_counters c0, c1;

	isolated(&w);
	fill(&w, WIN_A, 0x33, 4096);
	/* Unbound: no namespace at all. */
	nvme_get_counters(w.dev, &c0);
	CHECK_EQ(io(&w, 1, NVME_CMD_WRITE, 1, 0, 1, WIN_A, 0),
	    NVME_SC_INVALID_NS);
	CHECK_EQ(io(&w, 1, NVME_CMD_WRITE, 2, 0, 1, WIN_A, 0),
	    NVME_SC_INVALID_NS);
	CHECK(ns_all(&w, 1, 0, 0, 512));
	/* Bad bindings. */
	CHECK_EQ(bind(&w, 0, 1), NVME_SC_INVALID_QID);
	CHECK_EQ(bind(&w, 4, 1), NVME_SC_INVALID_QID);	/* nqueues 3 */
	CHECK_EQ(bind(&w, 0x10001, 1), NVME_SC_INVALID_FIELD);
	CHECK_EQ(bind(&w, 1, 3), NVME_SC_INVALID_NS);
	CHECK_EQ(bind(&w, 1, 0xFFFFFFFF), NVME_SC_INVALID_NS);
	CHECK_EQ(nvme_queue_nsid(w.dev, 1), 0);

	CHECK_EQ(bind(&w, 1, 1), 0);
	CHECK_EQ(bind(&w, 2, 2), 0);
	CHECK_EQ(io(&w, 1, NVME_CMD_WRITE, 1, 0, 1, WIN_A, 0), 0);
	/* Namespace 2 is queue 2's: every command that names it from
	 * queue 1 is refused and changes nothing. */
	CHECK_EQ(io(&w, 1, NVME_CMD_WRITE, 2, 0, 1, WIN_A, 0),
	    NVME_SC_INVALID_NS);
	CHECK_EQ(io(&w, 1, NVME_CMD_READ, 2, 0, 1, WIN_A, 0),
	    NVME_SC_INVALID_NS);
	CHECK_EQ(SC(ncmd(&w, 1, NVME_CMD_WRITE_ZEROES, 2, 0, 0, 0, 0, 0)),
	    NVME_SC_INVALID_NS);
	CHECK_EQ(SC(ncmd(&w, 1, NVME_CMD_DSM, 2, WIN_A, 0, 0, 4, 0)),
	    NVME_SC_INVALID_NS);
	CHECK_EQ(SC(ncmd(&w, 1, NVME_CMD_FLUSH, 2, 0, 0, 0, 0, 0)),
	    NVME_SC_INVALID_NS);
	CHECK(ns_all(&w, 2, 0, 0, 512));
	CHECK(all(&w, WIN_A, 0x33, 4096));
	/* The broadcast Flush: its own namespace, successfully. */
	CHECK_EQ(SC(ncmd(&w, 1, NVME_CMD_FLUSH, 0xFFFFFFFF, 0, 0, 0, 0, 0)),
	    0);
	nvme_get_counters(w.dev, &c1);
	CHECK_EQ(c1.ns_refused - c0.ns_refused, 7);
	/* Unbinding closes it again; rebinding opens another. */
	CHECK_EQ(bind(&w, 1, 0), 0);
	CHECK_EQ(io(&w, 1, NVME_CMD_READ, 1, 0, 1, WIN_A, 0),
	    NVME_SC_INVALID_NS);
	CHECK_EQ(bind(&w, 1, 2), 0);
	CHECK_EQ(io(&w, 1, NVME_CMD_READ, 2, 0, 1, WIN_A, 0), 0);
	/* A controller reset clears every binding. */
	nwr(&w, NVME_CC, 0);
	CHECK_EQ(nvme_queue_nsid(w.dev, 1), 0);
	CHECK_EQ(nvme_queue_nsid(w.dev, 2), 0);
	nworld_enable(&w);
	nworld_ioq(&w, 1, 16, false);
	CHECK_EQ(io(&w, 1, NVME_CMD_READ, 2, 0, 1, WIN_A, 0),
	    NVME_SC_INVALID_NS);
	CHECK(ncanary_intact(&w));
	nworld_free(&w);
}

static void
test_peek(void)
{
	struct nworld w;
	struct nvme_config cfg;
	uint8_t b[8];

	two_ns(&cfg);
	nworld_init_cfg(&w, &cfg);
	CHECK_EQ(nvme_ns_peek(w.dev, 1, 0, b, sizeof b), 0);
	CHECK_EQ(nvme_ns_peek(w.dev, 2, (1u << 20) - 8, b, sizeof b), 0);
	CHECK_EQ(nvme_ns_peek(w.dev, 2, (1u << 20) - 7, b, sizeof b), -1);
	CHECK_EQ(nvme_ns_peek(w.dev, 2, UINT64_MAX - 2, b, sizeof b), -1);
	CHECK_EQ(nvme_ns_peek(w.dev, 0, 0, b, sizeof b), -1);
	CHECK_EQ(nvme_ns_peek(w.dev, 3, 0, b, sizeof b), -1);
	nworld_free(&w);
}

int
main(void)
{
	test_off();
	test_config();
	test_dma_windows();
	test_ring_outside();
	test_binding();
	test_peek();
	return check_done("nvme_isolation");
}
