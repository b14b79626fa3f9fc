/*
 * board.h — the CAPIO board: the one place a machine is put together.
 *
 * From a small description it builds RAM, an IOMMU in front of each
 * device, the devices at their BARs, their interrupt lines, the wire and
 * the capture. A kernel boots on a board and learns what is on it the way
 * a kernel learns a machine from firmware tables: a RAM range and a list
 * of devices (kind, name, BAR, IOMMU, interrupt line). It never builds
 * hardware itself. Devices are listed NICs first, then NVMe controllers. Trusted harnesses (tests, benchmarks, the attack
 * harness) reach the models through the accessors at the end.
 *
 *   physical map   [ram_base, +ram_size)         RAM (ram_base 0 by default)
 *                  0xf0000000 + i * 0x100000     NIC i's BAR0 (128 KiB)
 *                  0xf0000000 + (nics + j) * 0x100000
 *                                                NVMe controller j's BAR0
 *   MAC of NIC i   52:54:00:12:34:(56 + i)
 *   wire           "pair": NIC 0 <-> NIC 1; "tap:IF", "udp:L,R": NIC 0
 *   nic_wire[i]    NIC i >= 1 on a wire of its own ("tap:IF", "udp:L,R"),
 *                  when it is not NIC 1 of a pair
 */
#ifndef CAPIO_BOARD_BOARD_H
#define CAPIO_BOARD_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct board;
struct e1000e;
struct iommu;
struct nvme;
struct phys;
struct wire;

#define BOARD_MAX_DEVS	4

/* One NVMe controller: namespaces of the given size, RAM or a file. */
struct board_nvme_desc {
	unsigned queues;	/* I/O queue pairs, 1..64 (0: 8) */
	uint64_t ns_bytes;	/* each namespace (0: 16 MiB), 512-byte
				   blocks */
	const char *path;	/* backing file (created if absent) of a
				   single namespace, or NULL for RAM */
	unsigned namespaces;	/* 1..16 (0: 1); RAM only when more than 1 */
	/* The controller's queue isolation, a model extension beyond NVMe
	 * (dev/nvme.h, docs/nvme.md): an IOMMU context per I/O queue, as
	 * PASIDs of one function would have, which board_dev lists. */
	bool queue_isolation;
};

struct board_desc {
	uint64_t ram_base;	/* physical address of RAM (default 0) */
	uint64_t ram_size;	/* bytes, 4 KiB..4 GiB, page-aligned
				   (default 256 MiB; the kernel wants RAM
				   at 0 and at least 16 MiB) */
	int nics;		/* e1000e NICs, 0..BOARD_MAX_DEVS (default 2) */
	const char *wire;	/* "pair", "tap:IFNAME", "udp:L,R", "none"
				   (default "pair"; NULL: "none") */
	const char *pcap;	/* record the wire into this file, or NULL */
	const char *nic_wire[BOARD_MAX_DEVS];	/* [i >= 1]: NIC i's own
				   one-port wire, or NULL (not recorded) */
	int nvmes;		/* NVMe controllers (default 0); NICs plus
				   controllers at most BOARD_MAX_DEVS */
	struct board_nvme_desc nvme[BOARD_MAX_DEVS];
};

enum board_dev_kind {
	BOARD_DEV_E1000E,	/* Intel 82574L, BAR0 = its registers */
	BOARD_DEV_NVME,		/* NVMe 1.4 controller, BAR0 = its registers
				   and doorbells */
};

/* One device as a kernel discovers it. */
struct board_dev {
	enum board_dev_kind kind;
	char name[24];		/* "e1000e0", "nvme0" */
	uint64_t bar;		/* physical address of BAR0 */
	uint64_t bar_size;
	struct iommu *iommu;	/* translates and checks its DMA */
	/* An NVMe controller with queue isolation: the IOMMU context of
	 * each I/O queue y at [y], y = 1..nqueue_iommu ([0] NULL: the admin
	 * queue's DMA goes through iommu). NULL otherwise. */
	struct iommu *const *queue_iommu;
	unsigned nqueue_iommu;
};

void board_desc_default(struct board_desc *d);
/* The whole machine, devices in their power-on state, the wire open and
 * the link up; D NULL: the default description. NULL and a one-line
 * message in err on failure. */
struct board *board_new(const struct board_desc *d, char *err, size_t errlen);
/* Power off: close the wire, free devices, IOMMUs and RAM. NULL is
 * accepted. */
void board_free(struct board *b);

/* --- what a kernel discovers ------------------------------------------- */

struct phys *board_phys(const struct board *b);
uint64_t board_ram_base(const struct board *b);
uint64_t board_ram_size(const struct board *b);
int board_ndevs(const struct board *b);
/* Device i, or NULL. */
const struct board_dev *board_dev(const struct board *b, int i);
/* Route device i's interrupt line to FN (NULL: nobody); FN hears every
 * change of level and may read the device's registers. */
void board_irq_attach(struct board *b, int i,
    void (*fn)(void *arg, bool level), void *arg);
/* Let the wire deliver what arrived (at most BUDGET frames). */
void board_poll(struct board *b, unsigned budget);

/* --- for trusted harnesses ----------------------------------------------- */

const struct board_desc *board_desc(const struct board *b);
/* NIC i's model, or NULL. */
struct e1000e *board_nic(const struct board *b, int i);
/* NIC i's MAC address as its receive address register holds it now. */
void board_nic_mac(const struct board *b, int i, uint8_t mac[6]);
struct wire *board_wire(const struct board *b);
/* The wire NIC i is on (NIC 1 of a pair: the pair), or NULL. */
struct wire *board_nic_wire(const struct board *b, int i);
/* NVMe controller j's model (the j-th controller, not device j), or
 * NULL. */
struct nvme *board_nvme(const struct board *b, int j);

#endif
