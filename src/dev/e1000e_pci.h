/*
 * e1000e_pci.h — an 82574L as a PCI function: the configuration space
 * QEMU's e1000e presents on a q35 root bus (identity, command/status,
 * four BARs, the PM -> MSI -> PCIe -> MSI-X capability chain, INTA), the
 * device's registers behind BAR0, and DMA gated by bus mastering.
 *
 *   BAR0  128 KiB memory   the register file (e1000e.h)
 *   BAR1  128 KiB memory   flash window: no flash fitted, reads 0
 *   BAR2   32 B   I/O      IOADDR (0x0) / IODATA (0x4) register window
 *   BAR3   16 KiB memory   MSI-X table (5 vectors) and pending bits
 *
 * The device reaches RAM through its own IOMMU context: while the
 * command register's bus-master bit is set one window maps every RAM
 * region one to one; while it is clear every DMA faults. The interrupt
 * is INTA, or with MSI or MSI-X enabled a message written through that
 * same context (e1000e_pci.c).
 */
#ifndef CAPIO_DEV_E1000E_PCI_H
#define CAPIO_DEV_E1000E_PCI_H

#include <stdint.h>

struct e1000e;
struct pci_bus;
struct pci_func;

struct e1000e_pci;

/* Plug a power-on 82574L with MAC into SLOT (function 0) of BUS. NAME
 * (copied) labels it. NULL on a bad argument, a taken slot or no memory. */
struct e1000e_pci *e1000e_pci_new(struct pci_bus *bus, unsigned slot,
    const char *name, const uint8_t mac[6]);
/* After pci_bus_free (which unmaps the BARs) and after its wire is
 * closed. NULL is accepted. */
void e1000e_pci_free(struct e1000e_pci *p);
struct e1000e *e1000e_pci_dev(const struct e1000e_pci *p);
struct pci_func *e1000e_pci_func(const struct e1000e_pci *p);

#endif
