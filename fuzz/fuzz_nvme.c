/*
 * fuzz_nvme.c — libFuzzer target for the NVMe controller model. Each
 * input is a program of register writes and reads (any size, any
 * offset), a sane bring-up, queue creation, arbitrary submission queue
 * entries (mostly well-formed opcodes, arbitrary fields), RAM writes into
 * the DMA windows (PRP lists, data), doorbells and resets, run against
 * a fresh controller with two RAM namespaces. The input's first byte
 * picks the controller: the specification's, or one with queue isolation
 * (a model extension: each I/O queue's DMA through its own IOMMU context
 * with its rings and a data window of its own, queues bound to
 * namespaces by the Bind Queue admin command).
 *
 * Oracles, checked after every input: nothing outside the DMA windows
 * changed (canary RAM), and the INTx line equals what the model's
 * completion queues say. ASan/UBSan catch the rest. Work per input is
 * bounded: at most MAX_OPS operations, each doorbell at most a queue.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/nvme.h"
#include "fuzz_prog.h"
#include "machine/iommu.h"
#include "machine/phys.h"

#define RAM	0x100000u
#define RAM_SIZE 0x40000u
#define RW	0x100000u	/* DMA read/write window */
#define RW_SIZE	0x30000u
#define RO	0x130000u	/* DMA read-only window */
#define RO_SIZE	0x4000u
#define CANARY	0x138000u	/* never touched by the device */
#define CANARY_SIZE 0x8000u
#define ASQ	RW
#define ACQ	(RW + 0x1000)
#define QBASE(q) (RW + 0x2000 + 0x2000u * (q))	/* SQ q, CQ q at +0x1000 */
#define MAX_OPS	256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct phys *phys;
static struct iommu *io;
static struct iommu *qio[5];		/* queue isolation: queues 1..4 */
static struct nvme *plain, *isolated;
static struct nvme *dev;		/* this input's */
static uint8_t pattern[CANARY_SIZE];
static bool irq;
/* Host-side tails, to ring believable doorbells. */
static uint32_t tail[5];

static void
on_irq(void *owner, bool level)
{
	(void)owner;
	irq = level;
}

static void
setup(void)
{
	struct nvme_config cfg;
	char err[128];

	phys = phys_new();
	if (phys == NULL || phys_add_ram(phys, RAM, RAM_SIZE) != 0)
		abort();
	io = iommu_new(phys, "nvme0");
	if (io == NULL ||
	    iommu_map(io, RW, RW, RW_SIZE, IOMMU_READ | IOMMU_WRITE) != 0 ||
	    iommu_map(io, RO, RO, RO_SIZE, IOMMU_READ) != 0)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	cfg.nqueues = 4;
	cfg.nnamespaces = 2;
	cfg.namespaces[0].size_bytes = 256u << 10;
	cfg.namespaces[0].block_size = 512;
	cfg.namespaces[1].size_bytes = 256u << 10;
	cfg.namespaces[1].block_size = 4096;
	plain = nvme_new("nvme0", &cfg, io, err, sizeof(err));
	/* Queue q's context: its SQ and CQ, and an eighth of the window. */
	for (unsigned q = 1; q <= 4; q++) {
		if ((qio[q] = iommu_new(phys, "nvme1 queue")) == NULL ||
		    iommu_map(qio[q], QBASE(q - 1), QBASE(q - 1), 0x1000,
		    IOMMU_READ) != 0 ||
		    iommu_map(qio[q], QBASE(q - 1) + 0x1000,
		    QBASE(q - 1) + 0x1000, 0x1000, IOMMU_WRITE) != 0 ||
		    iommu_map(qio[q], RW + 0x10000 + 0x8000 * (q - 1),
		    RW + 0x10000 + 0x8000 * (q - 1), 0x8000,
		    IOMMU_READ | IOMMU_WRITE) != 0)
			abort();
	}
	cfg.queue_isolation = true;
	cfg.queue_dma = qio;
	isolated = nvme_new("nvme1", &cfg, io, err, sizeof(err));
	if (plain == NULL || isolated == NULL)
		abort();
	nvme_set_irq_handler(plain, on_irq, NULL);
	nvme_set_irq_handler(isolated, on_irq, NULL);
	memset(pattern, 0xA5, sizeof(pattern));
}

static void
w32(uint32_t off, uint32_t v)
{
	nvme_mmio_ops.write(dev, off, v, 4);
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* little-endian hosts only, like the rest */
}

/* A driver's bring-up: admin queues of 16, CC.EN with 64/16 entries. */
static void
bring_up(uint8_t n)
{
	w32(NVME_CC, 0);
	w32(NVME_AQA, 15u << 16 | 15u);
	w32(NVME_ASQ, ASQ);
	w32(NVME_ASQ + 4, 0);
	w32(NVME_ACQ, ACQ);
	w32(NVME_ACQ + 4, 0);
	w32(NVME_CC, NVME_CC_EN | 6u << 16 | 4u << 20 |
	    ((n & 1) ? 1u << 7 : 0));		/* sometimes a bad MPS */
	memset(tail, 0, sizeof(tail));
}

/* Write one SQ entry at the host tail of queue q and ring it. */
static void
submit(unsigned q, const uint8_t sqe[64], uint32_t qsize)
{
	uint64_t base = q == 0 ? ASQ : QBASE(q - 1);

	(void)phys_write(phys, base + 64u * (tail[q] % qsize), sqe, 64);
	tail[q] = (tail[q] + 1) % qsize;
	w32(NVME_SQTDBL(q), tail[q]);
}

static void
op_create(struct prog *pr)
{
	uint8_t sqe[64];
	unsigned q = 1 + (unsigned)take(pr, 1) % 4;
	uint32_t qs = 3 + (uint32_t)take(pr, 1) % 29;

	memset(sqe, 0, sizeof(sqe));
	sqe[0] = NVME_ADM_CREATE_CQ;
	memcpy(sqe + 24, &(uint64_t){ QBASE(q - 1) + 0x1000 }, 8);
	put32(sqe + 40, (qs - 1) << 16 | q);
	put32(sqe + 44, 3);
	submit(0, sqe, 16);
	sqe[0] = NVME_ADM_CREATE_SQ;
	memcpy(sqe + 24, &(uint64_t){ QBASE(q - 1) }, 8);
	put32(sqe + 44, q << 16 | 1);
	submit(0, sqe, 16);
	tail[q] = 0;
}

static const uint8_t admin_ops[] = {
	NVME_ADM_DELETE_SQ, NVME_ADM_CREATE_SQ, NVME_ADM_GET_LOG_PAGE,
	NVME_ADM_DELETE_CQ, NVME_ADM_CREATE_CQ, NVME_ADM_IDENTIFY,
	NVME_ADM_ABORT, NVME_ADM_SET_FEATURES, NVME_ADM_GET_FEATURES,
	NVME_ADM_ASYNC_EVENT, NVME_ADM_CAPIO_BIND_QUEUE,
};
static const uint8_t io_ops[] = {
	NVME_CMD_FLUSH, NVME_CMD_WRITE, NVME_CMD_READ, NVME_CMD_WRITE_ZEROES,
	NVME_CMD_DSM,
};

/* A command with a known opcode, data pointers mostly inside the
 * windows, the rest of its fields as the input says. */
static void
op_command(struct prog *pr)
{
	uint8_t sel = (uint8_t)take(pr, 1);
	unsigned q = sel % 5;
	uint8_t sqe[64];
	uint64_t p;
	unsigned i;

	memset(sqe, 0, sizeof(sqe));
	if (sel & 0x80)
		sqe[0] = (uint8_t)take(pr, 1);
	else if (q == 0)
		sqe[0] = admin_ops[take(pr, 1) % sizeof(admin_ops)];
	else
		sqe[0] = io_ops[take(pr, 1) % sizeof(io_ops)];
	sqe[1] = (sel & 0x40) ? (uint8_t)take(pr, 1) : 0;
	sqe[2] = (uint8_t)take(pr, 1);
	put32(sqe + 4, (uint32_t)take(pr, 1) % 4);
	for (i = 0; i < 2; i++) {
		if (sel & (0x10 << i))
			p = take(pr, 8);
		else
			p = RAM + (take(pr, 3) % (RAM_SIZE + 0x2000)) * 4;
		memcpy(sqe + 24 + 8 * i, &p, 8);
	}
	for (i = 40; i < 64 && pr->n > 0; i += 4)
		put32(sqe + i, (uint32_t)take(pr, (sel & 8) ? 4 : 2));
	submit(q, sqe, q == 0 ? 16 : 32);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prog pr = { data, size };
	uint8_t *canary;
	unsigned ops;
	uint32_t off;
	uint64_t v;

	if (phys == NULL)
		setup();
	dev = pr.n > 0 && (take(&pr, 1) & 1) ? isolated : plain;
	irq = nvme_irq_level(dev);
	memset(phys_ram_ptr(phys, RAM, CANARY - RAM), 0, CANARY - RAM);
	canary = phys_ram_ptr(phys, CANARY, CANARY_SIZE);
	memcpy(canary, pattern, CANARY_SIZE);
	nvme_reset(dev);
	memset(tail, 0, sizeof(tail));

	for (ops = 0; ops < MAX_OPS && pr.n > 0; ops++) {
		switch (take(&pr, 1) % 9) {
		case 0:		/* any register or doorbell */
			off = (uint32_t)(take(&pr, 2) % (NVME_BAR0_SIZE / 4)) * 4;
			w32(off, (uint32_t)take(&pr, 4));
			break;
		case 1:		/* a read */
			off = (uint32_t)(take(&pr, 2) % (NVME_BAR0_SIZE / 4)) * 4;
			(void)nvme_mmio_ops.read(dev, off, 4);
			break;
		case 2:		/* odd sizes and offsets */
			prog_mmio_odd(&pr, &nvme_mmio_ops, dev, 2);
			break;
		case 3:		/* RAM in the read/write window */
			prog_ram_write(&pr, phys, RW, RW_SIZE, 3);
			break;
		case 4:
			bring_up((uint8_t)take(&pr, 1));
			break;
		case 5:
			op_create(&pr);
			break;
		case 6:
			op_command(&pr);
			break;
		case 7:		/* a doorbell, believable or not */
			v = take(&pr, 2);
			w32((v & 1) ? NVME_CQHDBL((v >> 1) % 5) :
			    NVME_SQTDBL((v >> 1) % 5), (uint32_t)(v >> 4) % 40);
			break;
		case 8:
			if (take(&pr, 1) == 0x5A)
				nvme_reset(dev);
			break;
		}
		if (irq != nvme_irq_level(dev))
			abort();
	}
	if (memcmp(canary, pattern, CANARY_SIZE) != 0)
		abort();
	return 0;
}
