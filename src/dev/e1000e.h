/*
 * e1000e.h — the Intel 82574L (e1000e) device model.
 *
 * The owner (the machine) registers BAR0 on its bus:
 *	phys_add_mmio(phys, base, E1000E_BAR0_SIZE, "e1000e0 BAR0",
 *	    &e1000e_mmio_ops, dev);
 * plugs a wire into e1000e_port(dev), and watches the interrupt line with
 * e1000e_set_irq_handler. The device reaches RAM only through the IOMMU
 * context it was given (dma_read/dma_write); everything is synchronous: a
 * TDT write transmits before it returns, a delivered frame is in the RX
 * ring (or dropped and counted) before deliver returns.
 *
 * Register names and bits: e1000e_regs.h. What is and is not modelled:
 * docs/e1000e.md.
 */
#ifndef CAPIO_DEV_E1000E_H
#define CAPIO_DEV_E1000E_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/e1000e_regs.h"
#include "machine/mmio.h"
#include "net/netport.h"

struct e1000e;
struct iommu;
struct mclock;

/* BAR0 callbacks; `dev` is the struct e1000e. Accesses: see docs. */
extern const struct mmio_ops e1000e_mmio_ops;

/*
 * A device in its power-on state, MAC address MAC (EEPROM words 0-2 and
 * RAL0/RAH0), doing DMA through DMA (not owned). NAME (copied) labels
 * fault reports. NULL on a bad argument or no memory.
 */
struct e1000e *e1000e_new(const char *name, const uint8_t mac[6],
    struct iommu *dma);
/* NULL is accepted. Not from inside one of the device's callbacks. */
void e1000e_free(struct e1000e *dev);
const char *e1000e_name(const struct e1000e *dev);

/* Power-on reset (CTRL.RST does the same from software). */
void e1000e_reset(struct e1000e *dev);

/* The device's network port; its deliver is the receive path. */
struct netport *e1000e_port(struct e1000e *dev);
/* The wire changed port->carrier: update STATUS.LU and raise LSC. The
 * model also re-reads the carrier on every STATUS read, CTRL write,
 * transmit and receive, so a wire that never calls this still works. */
void e1000e_link_changed(struct e1000e *dev);

/* The legacy interrupt line: (ICR & IMS) != 0 in INTx mode, unless ITR
 * holds it back. FN is called on every change of level (it may call
 * back into the device). */
bool e1000e_irq_level(const struct e1000e *dev);
void e1000e_set_irq_handler(struct e1000e *dev,
    void (*fn)(void *owner, bool level), void *owner);

/*
 * The machine clock the device's timers run on (machine/clock.h; not
 * owned): interrupt throttling (ITR, EITR), the interrupt delay timers
 * (TIDV, TADV, RDTR, RADV, RAID) and auto-negotiation (about 500 ms).
 * Without one (the default) every delay is zero: interrupts are
 * immediate and auto-negotiation ends at once. Set it before use.
 */
void e1000e_set_clock(struct e1000e *dev, struct mclock *clk);

/*
 * Message-signalled interrupts. The owner (the PCI function) says which
 * mode its configuration space has enabled; in MSI and MSI-X modes the
 * INTx line stays low and the device asks the owner to SEND vector N
 * (MSI: 0; MSI-X: 0-4, as IVAR maps the causes), who writes the message
 * or, while the vector is masked, sets its pending bit; CLEAR_PENDING
 * clears such a bit (PBACLR, IMS with CTRL_EXT.PBA_CLR).
 */
enum e1000e_intr_mode {
	E1000E_INTR_INTX,
	E1000E_INTR_MSI,
	E1000E_INTR_MSIX,
};
void e1000e_set_intr_mode(struct e1000e *dev, enum e1000e_intr_mode mode);
void e1000e_set_msg_handler(struct e1000e *dev,
    void (*send)(void *owner, unsigned vector),
    void (*clear_pending)(void *owner, unsigned vector), void *owner);

/* Register name for the 32-bit register holding OFF, or NULL. */
const char *e1000e_reg_name(uint64_t off);

/*
 * A register's value as a driver would read it, without any side effect
 * (no read-to-clear, no semaphore): for snapshots and "nothing changed"
 * checks. Unknown offsets read 0.
 */
uint32_t e1000e_peek(const struct e1000e *dev, uint32_t off);

/* What the model did, for its owner; never cleared by the device. */
struct e1000e_counters {
	uint64_t tx_frames;	/* handed to the wire */
	uint64_t tx_bytes;
	uint64_t tx_no_wire;	/* sent while no wire / no link: lost */
	uint64_t tx_malformed;	/* dropped: empty, runt, over 16 KiB */
	uint64_t tx_descs;	/* descriptors consumed */
	uint64_t rx_frames;	/* stored in the RX ring, every byte landed */
	uint64_t rx_bytes;
	uint64_t rx_filtered;	/* refused by the address filter */
	uint64_t rx_disabled;	/* RCTL.EN clear or link down */
	uint64_t rx_bad_length;	/* under 14 bytes or longer than RCTL allows */
	uint64_t rx_no_buffer;	/* no descriptors (MPC/RNBC) */
	uint64_t rx_truncated;	/* ran out of descriptors mid-frame */
	uint64_t rx_descs;	/* descriptors written back */
	uint64_t dma_faults;	/* descriptor or buffer outside the windows */
	uint64_t ring_errors;	/* head/tail/length outside the ring */
	uint64_t bad_mmio;	/* unaligned, odd-sized or out-of-BAR access */
	uint64_t irq_raised;	/* interrupt line 0 -> 1 */
	uint64_t msgs_sent;	/* MSI / MSI-X messages asked for */
	uint64_t resets;	/* power-on and CTRL.RST */
};
void e1000e_get_counters(const struct e1000e *dev, struct e1000e_counters *c);

#endif
