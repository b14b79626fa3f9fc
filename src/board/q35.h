/*
 * q35.h — the small machine `capio qtest` drives: shaped like the
 * QEMU q35 machine a qtest script sees, without a CPU or firmware.
 *
 *   RAM        [0, 0xC0000) and [1 MiB, RAM size): the option-ROM and
 *              BIOS area between them (where QEMU maps its firmware)
 *              reads 0 and drops writes
 *   PCI bus 0  00.0 host bridge 8086:29C0, 1F.0 LPC 8086:2918,
 *              1F.2 SATA 8086:2922, 1F.3 SMBus 8086:2930 (identity
 *              registers only), then the 82574Ls the description asks
 *              for, e1000e0 in slot 1, e1000e1 in slot 2, ..., then its
 *              NVMe controllers, nvme0, nvme1, ... in the next slots
 *   IOAPIC     slot S pin P (1 = INTA) lands on input 16 + 4 +
 *              (S + P - 1) % 4, as q35's PIRQE-H routing does
 *
 * Nothing else of a PC is there (no PIT, RTC, LAPIC, HPET, fw_cfg).
 */
#ifndef CAPIO_BOARD_Q35_H
#define CAPIO_BOARD_Q35_H

#include <stddef.h>
#include <stdint.h>

struct e1000e_pci;
struct nvme_pci;
struct mclock;
struct pci_bus;
struct phys;
struct wire;

#define Q35_RAM_DEFAULT	(128ull << 20)
#define Q35_RAM_MIN	(2ull << 20)
#define Q35_RAM_MAX	(2048ull << 20)
#define Q35_FIRST_SLOT	1
#define Q35_MAX_NICS	8
#define Q35_MAX_NVMES	4
#define Q35_NVME_QUEUES	64	/* I/O queue pairs, as QEMU's max_ioqpairs */
#define Q35_NVME_RAM_MAX	(1ull << 30)	/* a RAM namespace, bytes */

/* One 82574L, in slot Q35_FIRST_SLOT + its index. */
struct q35_nic_desc {
	uint8_t		 mac[6];
	/* A wire_open spec (net/wire.h), or NULL for no cable. "pair" joins
	 * this NIC to the next one, which must say "pair" too. */
	const char	*wire;
	/* Record the wire's frames in this pcap file ("": no recording). */
	char		 pcap[256];
};

/* One NVMe controller with one namespace of 512-byte blocks, in slot
 * Q35_FIRST_SLOT + nnics + its index. */
struct q35_nvme_desc {
	const char	*serial;	/* Identify SN: at most 20 characters */
	/* Namespace 1: a host file, all of it (it must exist and hold at
	 * least one block; a tail short of a block is not used), or, with
	 * DISK NULL, RAM_BYTES of zeroed RAM. */
	const char	*disk;
	uint64_t	 ram_bytes;
};

struct q35_desc {
	uint64_t		ram_size;	/* bytes */
	unsigned		nnics;
	struct q35_nic_desc	nic[Q35_MAX_NICS];
	unsigned		nnvmes;
	struct q35_nvme_desc	nvme[Q35_MAX_NVMES];
};

struct q35;

/* 0 when D describes a machine q35_new can build (RAM_SIZE between
 * Q35_RAM_MIN and Q35_RAM_MAX in whole 4 KiB pages, at most Q35_MAX_NICS
 * NICs, "pair" wires in twos, at most Q35_MAX_NVMES controllers, each
 * with a serial of 1 to 20 printable characters and a disk or RAM size);
 * -1 with a one-line message in ERR. The wire specs and disk files are
 * checked when q35_new opens them. */
int q35_check(const struct q35_desc *d, char *err, size_t errlen);
/* The machine D describes: NICs plugged in, their wires open and their
 * link state current. NULL with a one-line message in ERR on a bad
 * description, a wire that cannot open, or no memory. */
struct q35 *q35_new(const struct q35_desc *d, char *err, size_t errlen);
/* Closes the wires, frees the bus (unmapping every BAR), the NICs and the
 * address space. NULL is accepted. */
void q35_free(struct q35 *m);
struct phys *q35_phys(const struct q35 *m);
struct pci_bus *q35_pci(const struct q35 *m);
/* The virtual clock the NICs' timers run on (machine/clock.h); time
 * moves only when the owner advances it (qtest_set_clock). */
struct mclock *q35_clock(const struct q35 *m);
unsigned q35_nnics(const struct q35 *m);
/* NIC I (0 .. q35_nnics - 1). */
struct e1000e_pci *q35_nic(const struct q35 *m, unsigned i);
unsigned q35_nnvmes(const struct q35 *m);
/* NVMe controller I (0 .. q35_nnvmes - 1). */
struct nvme_pci *q35_nvme(const struct q35 *m, unsigned i);
/* NIC I's wire: NULL without a cable, and for the second NIC of a pair
 * (the pair's wire is the first's). */
struct wire *q35_wire(const struct q35 *m, unsigned i);
/* Who hears IOAPIC input changes (the qtest server); NULL: nobody. */
void q35_set_irq_sink(struct q35 *m, void (*fn)(void *arg, unsigned irq,
    int level), void *arg);
/* The IOAPIC input a device in SLOT raises with INTA. */
unsigned q35_intx_irq(unsigned slot);

#endif
