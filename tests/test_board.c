/*
 * test_board.c — the CAPIO board: what a description builds (RAM, BARs,
 * names, MACs, IOMMUs, the wire and its link), every refused description
 * with its message, interrupt routing, and the kernel booting on what the
 * board lists and refusing a board it cannot run on.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "board/board.h"
#include "net/wire.h"
#include "dev/e1000e.h"
#include "dev/nvme.h"
#include "kernel/kernel.h"
#include "machine/iommu.h"
#include "machine/phys.h"
#include "net/netport.h"

static void
refused(const struct board_desc *d, const char *says)
{
	char err[200] = "";

	CHECK(board_new(d, err, sizeof err) == NULL);
	if (strstr(err, says) == NULL) {
		fprintf(stderr, "wanted \"%s\", got \"%s\"\n", says, err);
		CHECK(0);
	}
}

static void
test_refused(void)
{
	struct board_desc d;

	board_desc_default(&d);
	d.ram_size = 0;
	refused(&d, "RAM must be");
	d.ram_size = 12345;
	refused(&d, "page-aligned");
	d.ram_size = 8ull << 30;
	refused(&d, "4 GiB");
	board_desc_default(&d);
	d.ram_base = 0xeff00000;
	d.ram_size = 2ull << 20;
	refused(&d, "below the BARs");
	board_desc_default(&d);
	d.nics = BOARD_MAX_DEVS + 1;
	refused(&d, "number of NICs");
	d.nics = -1;
	refused(&d, "number of NICs");
	d.nics = 1;
	refused(&d, "a pair wire needs two NICs");
	d.nics = 0;
	d.wire = "tap:capio-x";
	refused(&d, "a wire needs a NIC");
	d.nics = 1;
	d.wire = "bogus";
	refused(&d, "bogus");
	board_desc_default(&d);
	d.pcap = "/nonexistent-capio-dir/x.pcap";
	refused(&d, "/nonexistent-capio-dir/x.pcap");
	board_desc_default(&d);
	d.nvmes = 3;
	refused(&d, "at most 4");
	d.nvmes = 1;
	d.nvme[0].queues = NVME_MAX_IOQ + 1;
	refused(&d, "queue pairs");
	d.nvme[0].queues = 4;
	d.nvme[0].namespaces = NVME_MAX_NS + 1;
	refused(&d, "namespaces");
	d.nvme[0].namespaces = 2;
	d.nvme[0].path = "/tmp/capio-never-created.img";
	refused(&d, "one NVMe namespace");
	/* A NIC's own wire: not NIC 0's, not a NIC that is not there, not
	 * NIC 1 of a pair, one port only. */
	board_desc_default(&d);
	d.nic_wire[0] = "tap:x";
	refused(&d, "NIC 0 is on the board's wire");
	board_desc_default(&d);
	d.nic_wire[2] = "tap:x";
	refused(&d, "a NIC the board has not");
	board_desc_default(&d);
	d.nic_wire[1] = "udp:127.0.0.1:1,127.0.0.1:2";
	refused(&d, "NIC 1 is on the pair wire already");
	board_desc_default(&d);
	d.wire = "none";
	d.nic_wire[1] = "pair";
	refused(&d, "tap:IF or udp:L,R");
}

/* NIC 1 on a wire of its own (UDP, no root needed), apart from NIC 0's. */
static void
test_nic_wire(void)
{
	struct board_desc d;
	struct board *b;
	char err[200], w0[64], w1[64];
	unsigned port = 20000 + (unsigned)getpid() % 20000;

	snprintf(w0, sizeof w0, "udp:127.0.0.1:%u,127.0.0.1:%u", port,
	    port + 2);
	snprintf(w1, sizeof w1, "udp:127.0.0.1:%u,127.0.0.1:%u", port + 1,
	    port + 3);
	board_desc_default(&d);
	d.wire = w0;
	d.nic_wire[1] = w1;
	b = board_new(&d, err, sizeof err);
	CHECK(b != NULL);
	if (b == NULL) {
		fprintf(stderr, "board: %s\n", err);
		return;
	}
	CHECK(board_nic_wire(b, 0) == board_wire(b));
	CHECK(board_nic_wire(b, 1) != NULL);
	CHECK(board_nic_wire(b, 1) != board_wire(b));
	CHECK(board_nic_wire(b, 2) == NULL);
	CHECK(strcmp(wire_name(board_nic_wire(b, 1)), w1) == 0);
	CHECK(strcmp(board_desc(b)->nic_wire[1], w1) == 0);
	CHECK(e1000e_port(board_nic(b, 1))->wire != e1000e_port(board_nic(b,
	    0))->wire);
	board_poll(b, 8);
	board_free(b);
}

static void
test_default(void)
{
	struct board *b;
	char err[200];
	uint8_t mac[6];

	b = board_new(NULL, err, sizeof err);
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_EQ(board_ram_base(b), 0);
	CHECK_EQ(board_ram_size(b), 256ull << 20);
	CHECK_EQ(board_ndevs(b), 2);
	CHECK(board_wire(b) != NULL);
	CHECK(board_dev(b, 2) == NULL && board_dev(b, -1) == NULL);
	CHECK(board_nic(b, 2) == NULL);
	for (int i = 0; i < 2; i++) {
		const struct board_dev *d = board_dev(b, i);
		char name[16];

		snprintf(name, sizeof name, "e1000e%d", i);
		CHECK(d->kind == BOARD_DEV_E1000E);
		CHECK(strcmp(d->name, name) == 0);
		CHECK_EQ(d->bar, 0xf0000000ull + (uint64_t)i * 0x100000);
		CHECK_EQ(d->bar_size, E1000E_BAR0_SIZE);
		CHECK(d->iommu != NULL);
		/* The BAR answers on the bus, and the wire is plugged in:
		 * carrier (STATUS.LU waits for the driver's CTRL.SLU). */
		uint64_t v = 0;
		CHECK_EQ(phys_bus_read(board_phys(b), d->bar + E1000E_STATUS, 4,
		    &v), 0);
		CHECK(e1000e_port(board_nic(b, i))->carrier);
		board_nic_mac(b, i, mac);
		CHECK(mac[0] == 0x52 && mac[1] == 0x54 && mac[2] == 0x00 &&
		    mac[3] == 0x12 && mac[4] == 0x34 && mac[5] == 0x56 + i);
	}
	CHECK(board_dev(b, 0)->iommu != board_dev(b, 1)->iommu);
	board_free(b);
	board_free(NULL);
}

struct irq_seen {
	int changes;
	bool level;
};

static void
on_irq(void *arg, bool level)
{
	struct irq_seen *s = arg;

	s->changes++;
	s->level = level;
}

static void
test_irq(void)
{
	struct board_desc d;
	struct irq_seen s = { 0, false };
	struct board *b;
	char err[200];
	const struct board_dev *bd;

	board_desc_default(&d);
	d.nics = 1;
	d.wire = "none";
	b = board_new(&d, err, sizeof err);
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK(board_wire(b) == NULL);
	board_poll(b, 8);		/* no wire: nothing to do */
	bd = board_dev(b, 0);
	board_irq_attach(b, 0, on_irq, &s);
	/* Unmask LSC and set it by hand: the line goes up, then down on the
	 * read-to-clear of ICR. */
	CHECK_EQ(phys_bus_write(board_phys(b), bd->bar + E1000E_IMS, 4,
	    E1000E_ICR_LSC), 0);
	CHECK_EQ(phys_bus_write(board_phys(b), bd->bar + E1000E_ICS, 4,
	    E1000E_ICR_LSC), 0);
	CHECK(s.level);
	uint64_t icr = 0;
	CHECK_EQ(phys_bus_read(board_phys(b), bd->bar + E1000E_ICR, 4, &icr),
	    0);
	CHECK(icr & E1000E_ICR_LSC);
	CHECK(!s.level);
	CHECK_EQ(s.changes, 2);
	board_irq_attach(b, 0, NULL, NULL);
	board_irq_attach(b, 7, on_irq, &s);	/* no such device: ignored */
	board_free(b);
}

/* Two NICs and an NVMe controller: listed third, BAR0 after the NICs',
 * its own IOMMU and interrupt line; the default board has none. */
static void
test_nvme(void)
{
	struct board_desc d;
	const struct board_dev *bd;
	struct irq_seen seen = { 0, false };
	struct board *b;
	char err[200];
	uint64_t v = 0;

	board_desc_default(&d);
	CHECK_EQ(d.nvmes, 0);
	d.nvmes = 1;
	d.nvme[0].queues = 4;
	b = board_new(&d, err, sizeof err);
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_EQ(board_ndevs(b), 3);
	bd = board_dev(b, 2);
	CHECK(bd->kind == BOARD_DEV_NVME);
	CHECK(strcmp(bd->name, "nvme0") == 0);
	CHECK_EQ(bd->bar, 0xf0200000ull);
	CHECK_EQ(bd->bar_size, NVME_BAR0_SIZE);
	CHECK(bd->iommu != NULL && bd->iommu != board_dev(b, 1)->iommu);
	CHECK(board_nvme(b, 0) != NULL && board_nvme(b, 1) == NULL);
	CHECK(board_nic(b, 2) == NULL);
	/* The BAR answers: VS says 1.4. */
	CHECK_EQ(phys_bus_read(board_phys(b), bd->bar + NVME_VS, 4, &v), 0);
	CHECK_EQ(v, NVME_VS_1_4);
	board_irq_attach(b, 2, on_irq, &seen);
	board_irq_attach(b, 2, NULL, NULL);
	/* The specification's controller: no per-queue contexts. */
	CHECK(bd->queue_iommu == NULL && bd->nqueue_iommu == 0);
	CHECK(!nvme_queue_isolation(board_nvme(b, 0)));
	board_free(b);

	/* Queue isolation and three namespaces: a context per I/O queue,
	 * none of them the controller's. */
	d.nvme[0].namespaces = 3;
	d.nvme[0].queue_isolation = true;
	b = board_new(&d, err, sizeof err);
	CHECK(b != NULL);
	if (b == NULL)
		return;
	bd = board_dev(b, 2);
	CHECK(nvme_queue_isolation(board_nvme(b, 0)));
	CHECK_EQ(bd->nqueue_iommu, 4);
	CHECK(bd->queue_iommu != NULL && bd->queue_iommu[0] == NULL);
	for (unsigned q = 1; bd->queue_iommu != NULL && q <= 4; q++) {
		CHECK(bd->queue_iommu[q] != NULL);
		CHECK(bd->queue_iommu[q] != bd->iommu);
		CHECK(q == 1 || bd->queue_iommu[q] != bd->queue_iommu[q - 1]);
	}
	{
		uint8_t x[4];

		CHECK_EQ(nvme_ns_peek(board_nvme(b, 0), 3, 0, x, 4), 0);
		CHECK_EQ(nvme_ns_peek(board_nvme(b, 0), 4, 0, x, 4), -1);
	}
	board_free(b);
}

static void
test_kernel_on_board(void)
{
	struct board_desc d;
	struct kernel_opts o;
	struct kernel *k;
	char err[200] = "";

	/* A board the kernel cannot run on is refused (and freed). */
	board_desc_default(&d);
	d.ram_size = 8ull << 20;
	kernel_opts_default(&o);
	o.host_syscalls = false;
	CHECK(kernel_boot(board_new(&d, err, sizeof err), &o, err,
	    sizeof err) == NULL);
	CHECK(strstr(err, "at least 16 MiB") != NULL);
	d.ram_size = 32ull << 20;
	d.ram_base = 0x10000000;
	CHECK(kernel_boot(board_new(&d, err, sizeof err), &o, err,
	    sizeof err) == NULL);
	CHECK(strstr(err, "at physical 0") != NULL);
	/* A NULL board passes board_new's message through. */
	snprintf(err, sizeof err, "from board_new");
	CHECK(kernel_boot(NULL, &o, err, sizeof err) == NULL);
	CHECK(strcmp(err, "from board_new") == 0);

	/* Three NICs, no wire: the kernel finds all three. */
	board_desc_default(&d);
	d.nics = 3;
	d.wire = "none";
	k = kernel_boot(board_new(&d, err, sizeof err), &o, err, sizeof err);
	CHECK(k != NULL);
	if (k == NULL)
		return;
	CHECK_EQ(board_ndevs(kernel_board(k)), 3);
	for (int i = 0; i < 3; i++)
		CHECK(kernel_dev_kernel_pa(k, i, 1) != 0);
	CHECK_EQ(kernel_dev_kernel_pa(k, 3, 1), 0);
	kernel_halt(k);
	kernel_halt(NULL);
}

/* The kernel drives an NVMe controller the board lists: its stub brings
 * it up and registers one unit per I/O queue pair it offers. */
static void
test_kernel_nvme(void)
{
	struct kernel_opts o;
	struct board_desc d;
	struct nvme_counters c;
	struct kernel_stats st;
	struct kernel *k;
	char err[200];

	kernel_opts_default(&o);
	o.host_syscalls = false;
	board_desc_default(&d);
	d.nvmes = 1;
	d.nvme[0].queues = 3;
	/* Then with queue isolation: the kernel binds no queue until
	 * attach, the controller's own context holds only the admin queue's
	 * windows, and faults reach the kernel from every queue's context. */
	for (int iso = 0; iso < 2; iso++) {
		d.nvme[0].queue_isolation = iso;
		d.nvme[0].namespaces = iso ? 3 : 1;
		k = kernel_boot(board_new(&d, err, sizeof err), &o, err,
		    sizeof err);
		CHECK(k != NULL);
		if (k == NULL) {
			fprintf(stderr, "boot: %s\n", err);
			return;
		}
		nvme_get_counters(board_nvme(kernel_board(k), 0), &c);
		CHECK(c.admin_cmds >= 3);	/* Identify x2, Set Features */
		CHECK_EQ(c.cmd_errors, 0);
		CHECK_EQ(c.dma_faults, 0);
		kernel_get_stats(k, &st);
		CHECK_EQ(st.dma_faults, 0);
		CHECK_EQ(kernel_dev_kernel_pa(k, 2, 1), 0);
		for (unsigned q = 1; iso && q <= 3; q++)
			CHECK_EQ(nvme_queue_nsid(board_nvme(kernel_board(k), 0),
			    q), 0);
		if (iso) {
			const struct board_dev *bd = board_dev(kernel_board(k),
			    2);
			uint8_t x[4];

			CHECK(dma_read(bd->queue_iommu[2], 0x100000, x,
			    sizeof x) != 0);
			kernel_get_stats(k, &st);
			CHECK_EQ(st.dma_faults, 1);
		}
		kernel_halt(k);
	}
}

int
main(void)
{
	test_refused();
	test_nic_wire();
	test_nvme();
	test_kernel_nvme();
	test_default();
	test_irq();
	test_kernel_on_board();
	return check_done("test_board");
}
