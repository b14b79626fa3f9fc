/*
 * q35.h — the small machine `capio qtest` drives: shaped like the
 * QEMU q35 machine a qtest script sees, without a CPU or firmware.
 *
 *   RAM        [0, 0xC0000) and [1 MiB, RAM size): the option-ROM and
 *              BIOS area between them (where QEMU maps its firmware)
 *              reads 0 and drops writes
 *   PCI bus 0  00.0 host bridge 8086:29C0, 1F.0 LPC 8086:2918,
 *              1F.2 SATA 8086:2922, 1F.3 SMBus 8086:2930 (identity
 *              registers only), slots 1.. for whoever plugs devices in
 *   IOAPIC     slot S pin P (1 = INTA) lands on input 16 + 4 +
 *              (S + P - 1) % 4, as q35's PIRQE-H routing does
 *
 * Nothing else of a PC is there (no PIT, RTC, LAPIC, HPET, fw_cfg).
 */
#ifndef CAPIO_BOARD_Q35_H
#define CAPIO_BOARD_Q35_H

#include <stdbool.h>
#include <stdint.h>

struct phys;
struct pci_bus;

#define Q35_RAM_DEFAULT	(128ull << 20)
#define Q35_RAM_MIN	(2ull << 20)
#define Q35_RAM_MAX	(2048ull << 20)
#define Q35_FIRST_SLOT	1

struct q35;

/* RAM_SIZE between Q35_RAM_MIN and Q35_RAM_MAX, a multiple of 4 KiB.
 * NULL on a bad size or no memory. */
struct q35 *q35_new(uint64_t ram_size);
/* Frees the bus (unmapping every BAR) and the address space: the devices
 * plugged into the bus are freed after this. NULL is accepted. */
void q35_free(struct q35 *m);
struct phys *q35_phys(const struct q35 *m);
struct pci_bus *q35_pci(const struct q35 *m);
/* Who hears IOAPIC input changes (the qtest server); NULL: nobody. */
void q35_set_irq_sink(struct q35 *m, void (*fn)(void *arg, unsigned irq,
    int level), void *arg);
/* The IOAPIC input a device in SLOT raises with INTA. */
unsigned q35_intx_irq(unsigned slot);

#endif
