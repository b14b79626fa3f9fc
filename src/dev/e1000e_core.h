/*
 * e1000e_core.h — the device state the model's files share (internal to
 * src/dev/e1000e*.c): register file, EEPROM, PHY, per-queue transmit
 * assembly, and the entry points each file offers the others.
 */
#ifndef CAPIO_DEV_E1000E_CORE_H
#define CAPIO_DEV_E1000E_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/e1000e.h"
#include "dev/e1000e_desc.h"
#include "dev/e1000e_ring.h"

#define E1000E_NWORDS	(E1000E_BAR0_SIZE / 4u)
#define E1000E_PHY_REGS	32u

/* A frame being gathered from TX descriptors until EOP. */
struct e1000e_txq {
	size_t	 len;		/* bytes gathered so far */
	bool	 bad;		/* drop at EOP (fault, too long) */
	bool	 busy;		/* inside e1000e_tx_process for this queue */
	bool	 kick;		/* doorbell rung from inside a callback */
	uint8_t	 buf[E1000E_FRAME_MAX];
};

struct e1000e {
	char			*name;
	uint8_t			 mac_addr[6];
	struct iommu		*dma;
	struct netport		 port;
	/* Register values by word index (offset / 4). */
	uint32_t		 regs[E1000E_NWORDS];
	/* Which table entry describes each word, 0 for none (+1 biased). */
	uint16_t		 kind[E1000E_NWORDS];
	uint16_t		 eeprom[E1000E_EEPROM_WORDS];
	uint16_t		 phy[E1000E_PHY_REGS];
	bool			 carrier;	/* last carrier seen */
	bool			 irq;		/* line level */
	void			(*irq_fn)(void *, bool);
	void			*irq_owner;
	/* Bumped by every reset: loops that call out re-check it. */
	uint64_t		 generation;
	struct e1000e_counters	 cnt;
	struct e1000e_txq	 txq[E1000E_NQUEUES];
	uint8_t			 rxbuf[E1000E_FRAME_MAX + E1000E_FCS_LEN];
};

static inline uint32_t
e1000e_reg(const struct e1000e *d, uint32_t off)
{
	return d->regs[off >> 2];
}

static inline void
e1000e_reg_set(struct e1000e *d, uint32_t off, uint32_t v)
{
	d->regs[off >> 2] = v;
}

/* e1000e.c */
void e1000e_set_cause(struct e1000e *d, uint32_t causes);
void e1000e_update_irq(struct e1000e *d);
void e1000e_update_link(struct e1000e *d);
/* Add N to a saturating 32-bit statistics counter / 64-bit pair. */
void e1000e_stat_inc(struct e1000e *d, uint32_t off, uint32_t n);
void e1000e_stat_add64(struct e1000e *d, uint32_t lo, uint64_t n);
/* The size-bucket counter (PRC64.. or PTC64..) for LEN bytes with FCS. */
uint32_t e1000e_size_bucket(uint32_t first, size_t len);

/* e1000e_mmio.c */
void e1000e_regs_init(struct e1000e *d);
void e1000e_regs_reset(struct e1000e *d);

/* e1000e_phy.c */
void e1000e_phy_reset(struct e1000e *d);
void e1000e_phy_set_link(struct e1000e *d, bool up);
uint32_t e1000e_mdic_write(struct e1000e *d, uint32_t val);

/* e1000e_ring.c */
/* A ring as its registers describe it, read afresh: a callback may have
 * rewritten them since the last look. */
struct e1000e_ring {
	uint64_t base;		/* device address of descriptor 0 */
	uint32_t n;		/* descriptors */
	uint32_t head;
	uint32_t tail;
	uint32_t off_h;		/* offsets of the head and tail registers */
	uint32_t off_t;
};
/* False when the registers at BAL_OFF (RDBAL0 or TDBALn) describe no
 * usable ring; the caller counts it. */
bool e1000e_ring_get(const struct e1000e *d, uint32_t bal_off,
    struct e1000e_ring *r);
/* Device address of the descriptor at head. */
uint64_t e1000e_ring_head_addr(const struct e1000e_ring *r);
/* The device is done with the descriptor at head: move head past it. */
void e1000e_ring_advance(struct e1000e *d, const struct e1000e_ring *r);

/* e1000e_tx.c */
void e1000e_tx_process(struct e1000e *d, unsigned q);
void e1000e_tx_reset(struct e1000e *d);

/* e1000e_rx.c */
bool e1000e_rx_deliver(void *nic, const uint8_t *frame, size_t len);

/* e1000e_filter.c */
bool e1000e_filter_accept(const struct e1000e *d, const uint8_t *frame);

#endif
