/*
 * nvme_pci.h — an NVMe controller (nvme.h) as a PCI function: the
 * configuration space QEMU's nvme device presents on a q35 root bus
 * (identity 1B36:0010, class 01 08 02, the MSI-X -> PCI Express -> power
 * management capability chain, INTA), one 64-bit memory BAR, and DMA and
 * interrupt messages gated by bus mastering.
 *
 *   BAR0/1  16 KiB  64-bit memory  0x0000  controller registers, doorbells
 *                                  0x2000  MSI-X table, 65 vectors
 *                                  0x3000  MSI-X pending bits
 *
 * The controller reaches RAM through its own IOMMU context: while the
 * command register's bus-master bit is set one window maps every RAM
 * region one to one; while it is clear every DMA, and every interrupt
 * message, faults. With MSI-X enabled each completion posted to a CQ
 * with interrupts enabled sends that CQ's vector's message (a dword
 * write of its data to its address, through the IOMMU) unless the vector
 * or the function is masked, which sets the vector's pending bit
 * instead; unmasking sends what is pending. Without MSI-X the controller
 * drives INTA.
 */
#ifndef CAPIO_DEV_NVME_PCI_H
#define CAPIO_DEV_NVME_PCI_H

#include <stddef.h>
#include <stdint.h>

struct nvme;
struct nvme_config;
struct pci_bus;
struct pci_func;

struct nvme_pci;

#define NVME_PCI_BAR0_SIZE	0x4000u
#define NVME_PCI_MSIX_TABLE	0x2000u	/* offset in BAR0 */
#define NVME_PCI_MSIX_PBA	0x3000u
#define NVME_PCI_MSIX_VECTORS	65u	/* the admin queue's and 64 more */

/*
 * Plug a controller in its reset state, configured by CFG, into SLOT
 * (function 0) of BUS. NAME (copied) labels it. NULL with a reason in ERR
 * on a bad argument, a taken slot, a configuration nvme_new refuses, or
 * no memory.
 */
struct nvme_pci *nvme_pci_new(struct pci_bus *bus, unsigned slot,
    const char *name, const struct nvme_config *cfg, char *err,
    size_t errlen);
/* After pci_bus_free (which unmaps the BAR). NULL is accepted. */
void nvme_pci_free(struct nvme_pci *p);
struct nvme *nvme_pci_dev(const struct nvme_pci *p);
struct pci_func *nvme_pci_func(const struct nvme_pci *p);

/* What the function did with interrupt messages; never cleared. */
struct nvme_pci_counters {
	uint64_t msi_sent;	/* messages written */
	uint64_t msi_pended;	/* held in the pending bits (masked) */
	uint64_t msi_faults;	/* the write faulted (no bus mastering,
				 * an address outside RAM) */
};
void nvme_pci_get_counters(const struct nvme_pci *p,
    struct nvme_pci_counters *c);

#endif
