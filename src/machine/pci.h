/*
 * pci.h — one conventional PCI bus (bus 0) behind a host bridge reached
 * through configuration mechanism #1 (I/O ports 0xCF8/0xCFC), as a PC's
 * firmware or a qtest script sees it.
 *
 * Each function has a 256-byte configuration space with per-byte write
 * and write-1-to-clear masks. Base address registers decode only while
 * the command register enables their space: a memory BAR at a valid
 * address becomes an MMIO region on the physical bus (phys.h), an I/O BAR
 * a range of ports. The bus-master bit is reported to the function's
 * owner (who gates its DMA) and the interrupt-disable bit gates INTx.
 * INTx levels of all functions are combined per interrupt number the
 * machine's router picks (wired-OR), and only changes reach the machine.
 */
#ifndef CAPIO_MACHINE_PCI_H
#define CAPIO_MACHINE_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/mmio.h"

struct phys;
struct pci_bus;
struct pci_func;

#define PCI_SLOTS	32
#define PCI_FUNCS	8
#define PCI_CFG_SIZE	256
#define PCI_NBARS	6
#define PCI_MAX_IRQS	64

/* Configuration header offsets and bits used outside pci.c. */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0A
#define PCI_CACHE_LINE_SIZE	0x0C
#define PCI_HEADER_TYPE		0x0E
#define PCI_BAR0		0x10
#define PCI_SUBSYS_VENDOR_ID	0x2C
#define PCI_SUBSYS_ID		0x2E
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAP_PTR		0x34
#define PCI_INTERRUPT_LINE	0x3C
#define PCI_INTERRUPT_PIN	0x3D

#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_SERR	0x0100
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_INTERRUPT	0x0008
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_HEADER_MULTI_FUNCTION 0x80

#define PCI_BAR_UNMAPPED	UINT64_MAX

/*
 * The machine's side: ROUTE maps a slot's interrupt pin (1 = INTA .. 4 =
 * INTD) to an interrupt number below PCI_MAX_IRQS; SET_IRQ hears every
 * change of that number's combined level.
 */
struct pci_irq_router {
	unsigned (*route)(void *owner, unsigned slot, unsigned pin);
	void	(*set_irq)(void *owner, unsigned irq, bool level);
	void	*owner;
};

/* A bus whose memory BARs land in PHYS. NULL if out of memory. */
struct pci_bus *pci_bus_new(struct phys *phys,
    const struct pci_irq_router *router);
/* Unmaps and frees every function, then the bus. NULL is accepted. */
void pci_bus_free(struct pci_bus *b);
struct phys *pci_bus_phys(const struct pci_bus *b);

/*
 * A function at SLOT.FN with an all-zero, read-only configuration space
 * (its creator fills it in with the setters below). NAME (copied) labels
 * its BAR regions. NULL if the place is taken or out of range.
 */
struct pci_func *pci_func_add(struct pci_bus *b, unsigned slot, unsigned fn,
    const char *name);
unsigned pci_func_slot(const struct pci_func *f);

/* Initial contents and masks (little-endian), for the function's creator. */
void pci_cfg_init8(struct pci_func *f, unsigned off, uint8_t val,
    uint8_t wmask, uint8_t w1cmask);
void pci_cfg_init16(struct pci_func *f, unsigned off, uint16_t val,
    uint16_t wmask, uint16_t w1cmask);
void pci_cfg_init32(struct pci_func *f, unsigned off, uint32_t val,
    uint32_t wmask, uint32_t w1cmask);
/*
 * Chain a capability of LEN bytes with ID at OFF (0x40..0xFF, 4-aligned)
 * into the list (after those added before) and set STATUS.CAP_LIST.
 * 0, or -1 when it does not fit.
 */
int pci_cap_add(struct pci_func *f, uint8_t id, unsigned off, unsigned len);

/*
 * BAR n (0..5) of SIZE bytes, a power of two (memory: at least one page;
 * I/O: 4..256 bytes), decoding to OPS/DEV with offsets from the BAR's
 * base. 0, or -1 on a bad argument.
 */
int pci_bar_init(struct pci_func *f, unsigned n, uint64_t size, bool io,
    const struct mmio_ops *ops, void *dev);
/* Where BAR n decodes now, or PCI_BAR_UNMAPPED. */
uint64_t pci_bar_addr(const struct pci_func *f, unsigned n);

/* The function's owner hears of bus-master enable changes (gate DMA). */
void pci_set_master_hook(struct pci_func *f,
    void (*fn)(void *owner, bool enabled), void *owner);

/* The function's owner hears of every configuration write (offset,
 * length), after it took effect: capabilities it implements (MSI and
 * MSI-X enable, masks) act on it. */
void pci_set_cfg_hook(struct pci_func *f,
    void (*fn)(void *owner, unsigned off, unsigned len), void *owner);

/* Drive the function's INTx pin (its configured interrupt pin). */
void pci_set_intx(struct pci_func *f, bool level);

/* Configuration access as software sees it (LEN 1, 2 or 4 bytes at any
 * offset; bytes past 0xFF read 0 and are not written). */
uint32_t pci_cfg_read(struct pci_func *f, unsigned off, unsigned len);
void pci_cfg_write(struct pci_func *f, unsigned off, uint32_t val,
    unsigned len);

/*
 * The I/O port space the bus decodes: 0xCF8-0xCFB (CONFIG_ADDRESS: a
 * dword write sets it, reads return it), 0xCFC-0xCFF (CONFIG_DATA) and
 * enabled I/O BARs. SIZE is 1, 2 or 4; an access that spans several
 * decoders is split among them; bytes nobody decodes read 0xFF.
 */
uint32_t pci_io_read(struct pci_bus *b, uint16_t port, unsigned size);
void pci_io_write(struct pci_bus *b, uint16_t port, uint32_t val,
    unsigned size);

/* What the bus refused, for its owner. */
struct pci_bus_counters {
	uint64_t bar_conflicts;	/* BAR enabled over RAM or a BAR */
};
void pci_bus_get_counters(const struct pci_bus *b,
    struct pci_bus_counters *c);

#endif
