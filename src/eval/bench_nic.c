/*
 * bench_nic.c — `capio bench nic`: packets per second through two e1000e
 * models on a pair wire, driven by a minimal polling driver that holds
 * capabilities to the whole of both BARs, its rings and buffers (no
 * kernel, no slicing: the cost of the device model, the wire and the
 * checked accesses a driver must make).
 *
 * Per burst of 32: write 32 TX descriptors (two 8-byte stores each), one
 * TDT store; then on the other NIC poll RX descriptors (one 8-byte load
 * each), clear them (one store each), one RDT store. Frames sit in the TX
 * buffers once; nothing is copied per packet by the driver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/bench.h"
#include "board/board.h"
#include "dev/e1000e.h"
#include "dev/e1000e_desc.h"
#include "dev/e1000e_ring.h"
#include "machine/cpu.h"
#include "machine/iommu.h"

#define RAM_SIZE	(32ull << 20)
#define VA_RAM		0x10000000ull
#define VA_BAR		0x40000000ull
#define NDESC		512u
#define BUFSZ		2048u
#define BURST		BENCH_NIC_BURST
/* Per NIC, in RAM: TX ring, RX ring, TX buffers, RX buffers. */
#define NIC_AREA	(2 * NDESC * 16 + 2 * NDESC * BUFSZ)
#define AREA_BASE	0x100000ull

struct nicdrv {
	cap_t bar, ram;		/* full BAR0; the NIC's RAM area */
	uint64_t pa;		/* physical base of the RAM area */
	unsigned tx_tail, rx_next;
};

enum { TXR = 0, RXR = NDESC * 16, TXB = 2 * NDESC * 16,
    RXB = 2 * NDESC * 16 + NDESC * BUFSZ };

struct run {
	struct nicdrv n[2];
	uint64_t packets, sent, received;
	unsigned len;
	uint64_t ns;
};

static void
wr(cap_t bar, uint32_t off, uint32_t v)
{
	st32(bar, off, v);
}

/* Bring-up from user level: what a driver with the whole BAR can do. */
static void
bring_up(struct nicdrv *d, unsigned len)
{
	wr(d->bar, E1000E_CTRL, E1000E_CTRL_RST);
	wr(d->bar, E1000E_IMC, 0xffffffffu);
	wr(d->bar, E1000E_TDBAL, (uint32_t)(d->pa + TXR));
	wr(d->bar, E1000E_TDBAH, 0);
	wr(d->bar, E1000E_TDLEN, NDESC * 16);
	wr(d->bar, E1000E_RDBAL, (uint32_t)(d->pa + RXR));
	wr(d->bar, E1000E_RDBAH, 0);
	wr(d->bar, E1000E_RDLEN, NDESC * 16);
	for (unsigned i = 0; i < NDESC; i++) {
		st64(d->ram, RXR + i * E1000E_DESC_SIZE + E1000E_DESC_ADDR_OFF,
		    d->pa + RXB + (uint64_t)i * BUFSZ);
		st64(d->ram, RXR + i * E1000E_DESC_SIZE + E1000E_DESC_QW1_OFF, 0);
		/* A broadcast frame, written once into each TX buffer. */
		uint8_t f[1514];
		memset(f, 0xff, 6);
		memset(f + 6, 0x02, 6);
		f[12] = 0x88;
		f[13] = 0xb5;
		for (unsigned j = 14; j < len; j++)
			f[j] = (uint8_t)(i + j);
		stbytes(d->ram, TXB + (int64_t)i * BUFSZ, f, len);
	}
	wr(d->bar, E1000E_RDT, NDESC - 1);
	wr(d->bar, E1000E_TCTL, E1000E_TCTL_EN | E1000E_TCTL_PSP);
	wr(d->bar, E1000E_RCTL, E1000E_RCTL_EN | E1000E_RCTL_BAM | E1000E_RCTL_SECRC);
	wr(d->bar, E1000E_CTRL, E1000E_CTRL_SLU);
	d->tx_tail = d->rx_next = 0;
}

static unsigned
tx_burst(struct nicdrv *d, unsigned len)
{
	for (unsigned i = 0; i < BURST; i++) {
		unsigned t = d->tx_tail;
		struct e1000e_tx_desc td = { .length = (uint16_t)len,
		    .cmd = E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_IFCS };

		st64(d->ram, TXR + t * E1000E_DESC_SIZE + E1000E_DESC_ADDR_OFF,
		    d->pa + TXB + (uint64_t)t * BUFSZ);
		st64(d->ram, TXR + t * E1000E_DESC_SIZE + E1000E_DESC_QW1_OFF,
		    e1000e_tx_desc_qw1(&td));
		d->tx_tail = e1000e_ring_next(t, NDESC);
	}
	wr(d->bar, E1000E_TDT, d->tx_tail);
	return BURST;
}

static unsigned
rx_burst(struct nicdrv *d)
{
	unsigned got = 0, last = NDESC;

	while (got < NDESC) {
		int64_t qw1 = RXR + d->rx_next * E1000E_DESC_SIZE +
		    E1000E_DESC_QW1_OFF;
		struct e1000e_rx_desc rd;

		e1000e_rx_desc_set_qw1(&rd, ld64(d->ram, qw1));
		if (!(rd.status & E1000E_RXD_STA_DD))
			break;
		st64(d->ram, qw1, 0);
		last = d->rx_next;
		d->rx_next = e1000e_ring_next(d->rx_next, NDESC);
		got++;
	}
	if (last != NDESC)
		wr(d->bar, E1000E_RDT, last);
	return got;
}

static void
driver(void *arg)
{
	struct run *r = arg;
	uint64_t t0;

	bring_up(&r->n[0], r->len);
	bring_up(&r->n[1], r->len);
	t0 = bench_now_ns();
	while (r->sent < r->packets) {
		r->sent += tx_burst(&r->n[0], r->len);
		r->received += rx_burst(&r->n[1]);
	}
	r->ns = bench_now_ns() - t0;
}

static int
measure(unsigned len, uint64_t packets, double *mpps, uint64_t *lost)
{
	struct board_desc bd;
	struct board *b;
	struct aspace *as = NULL;
	struct ctx *x = NULL;
	struct run r;
	char err[200];
	int rc = -1;

	memset(&r, 0, sizeof r);
	r.len = len;
	r.packets = packets;
	board_desc_default(&bd);	/* two NICs on a pair wire */
	bd.ram_size = RAM_SIZE;
	if ((b = board_new(&bd, err, sizeof err)) == NULL ||
	    (as = aspace_new(board_phys(b))) == NULL)
		goto out;
	for (int i = 0; i < 2; i++) {
		const struct board_dev *d = board_dev(b, i);
		uint64_t pa = AREA_BASE + (uint64_t)i * NIC_AREA;
		uint64_t va = VA_RAM + (uint64_t)i * NIC_AREA;

		if (iommu_map(d->iommu, pa, pa, NIC_AREA,
		    IOMMU_READ | IOMMU_WRITE) != 0 ||
		    aspace_map(as, VA_BAR + (uint64_t)i * 0x100000, d->bar,
		    d->bar_size, MMU_READ | MMU_WRITE | MMU_DEVICE) != 0 ||
		    aspace_map(as, va, pa, NIC_AREA, MMU_READ | MMU_WRITE) != 0)
			goto out;
		r.n[i].pa = pa;
		r.n[i].bar = cheri_perms_and(cheri_bounds_set_exact(cheri_address_set(
		    cap_root(), VA_BAR + (uint64_t)i * 0x100000), d->bar_size),
		    CAP_PERM_LOAD | CAP_PERM_STORE);
		r.n[i].ram = cheri_perms_and(cheri_bounds_set_exact(cheri_address_set(
		    cap_root(), va), NIC_AREA), CAP_PERM_LOAD | CAP_PERM_STORE);
		if (!r.n[i].bar.tag || !r.n[i].ram.tag)
			goto out;
	}
	if ((x = ctx_new(driver, &r, as)) == NULL || ctx_run(x) != CTX_DONE)
		goto out;
	*mpps = r.ns ? (double)r.received / ((double)r.ns / 1e3) : 0;
	*lost = r.sent - r.received;
	rc = 0;
out:
	if (x != NULL && ctx_status(x) == CTX_FAULTED) {
		char m[256];
		fault_describe(ctx_fault(x), m, sizeof m);
		fprintf(stderr, "capio: bench nic: driver faulted: %s\n", m);
	}
	ctx_free(x);
	aspace_free(as);
	board_free(b);
	return rc;
}

int
bench_nic_run(uint64_t packets, bool json)
{
	static const unsigned sizes[2] = { 64, 1518 };
	double mpps[2];
	uint64_t lost[2];

	for (int s = 0; s < 2; s++) {
		/* On-wire sizes include the 4-byte FCS the NIC adds. */
		if (measure(sizes[s] - 4, packets, &mpps[s], &lost[s]) != 0) {
			fprintf(stderr, "capio: bench nic: cannot build the machine\n");
			return 1;
		}
	}
	if (json)
		printf("{\"mpps_64\":%.3f,\"mpps_1518\":%.3f,\"packets\":%llu,"
		    "\"lost_64\":%llu,\"lost_1518\":%llu}\n", mpps[0], mpps[1],
		    (unsigned long long)packets, (unsigned long long)lost[0],
		    (unsigned long long)lost[1]);
	else {
		printf("capio bench nic: two e1000e models on a pair wire, full-BAR "
		    "polling driver, bursts of %u\n", BURST);
		for (int s = 0; s < 2; s++)
			printf("  %4u bytes  %7.3f Mpps  (%llu packets, %llu lost)\n",
			    sizes[s], mpps[s], (unsigned long long)packets,
			    (unsigned long long)lost[s]);
	}
	return lost[0] || lost[1] ? 1 : 0;
}
