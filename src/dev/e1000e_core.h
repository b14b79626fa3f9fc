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
#include "machine/clock.h"

#define E1000E_NWORDS	(E1000E_BAR0_SIZE / 4u)
#define E1000E_PHY_REGS	32u
#define E1000E_PHY_PAGES 7u

/*
 * Interrupt delivery (e1000e_intr.c): the mode the PCI function's
 * configuration space selects, the messages sent and not yet
 * acknowledged, the throttling timers (ITR, EITR) and the delay timers
 * holding back causes (TIDV, TADV, RDTR, RADV, RAID).
 */
struct e1000e_throttle {
	struct mtimer	 t;		/* the interval since the last one */
	bool		 pending;	/* an interrupt waits for it to end */
	struct e1000e	*d;
	unsigned	 vec;		/* EITR: the vector; ITR: 0 */
};

struct e1000e_intr {
	enum e1000e_intr_mode mode;
	bool		 line;		/* INTx level */
	uint32_t	 msg_sent;	/* causes a message already announced */
	uint32_t	 delayed;	/* causes the delay timers hold */
	struct e1000e_throttle itr;
	struct e1000e_throttle eitr[E1000E_MSIX_VECTORS];
	struct mtimer	 tidv, tadv, rdtr, radv, raid;
	void		(*send)(void *owner, unsigned vector);
	void		(*clear_pending)(void *owner, unsigned vector);
	void		*msg_owner;
};

/* What the offloads know of a frame (e1000e_pkt.c): offsets from the
 * frame's first byte; l4/l5 and tcp/udp only for a whole datagram. */
struct e1000e_pkt {
	size_t	 len;		/* the frame */
	size_t	 l3, l3_len;	/* IP header, IPv6 extension headers included */
	size_t	 l4, l5;	/* TCP or UDP header, its payload */
	size_t	 end;		/* end of the IP datagram */
	uint8_t	 proto;		/* the IP protocol (next header) */
	uint16_t tci;		/* the 802.1Q tag control, when vlan */
	/* IPv6: the home address option's and the type 2 routing header's
	 * addresses (0: none), for RSS. */
	size_t	 ex_src, ex_dst;
	bool	 vlan, ip4, ip6, ip6_ext, frag, tcp, udp;
};

/* The largest TCP segmentation payload plus header the model gathers
 * (the descriptors' 20-bit lengths allow more; larger is dropped). */
#define E1000E_TSO_MAX	(65536u + 256u)
/* The most segments one segmentation frame may make: the header is
 * copied once per segment, so a tiny MSS would multiply a doorbell's
 * work; a context that needs more is refused (TSCTFC). */
#define E1000E_TSO_MAX_SEGS 1024u

/*
 * A frame being gathered from TX descriptors until EOP, with what its
 * descriptors asked for: the options of its first data descriptor
 * (POPTS, TSE) and of its EOP descriptor (VLE and the tag, legacy IC
 * with CSO/CSS), under the queue's last context descriptor.
 */
struct e1000e_txq {
	size_t		 len;		/* bytes gathered so far */
	bool		 bad;		/* drop at EOP (fault, too long) */
	bool		 busy;		/* in e1000e_tx_process for it */
	bool		 kick;		/* doorbell rung from a callback */
	bool		 started;	/* a descriptor of the frame seen */
	bool		 ext;		/* in extended data descriptors */
	bool		 tse;		/* ... asking for segmentation */
	uint8_t		 popts;		/* ... and these checksums */
	struct e1000e_tx_desc eop;	/* the EOP descriptor */
	struct e1000e_tx_ctx ctx;	/* the last context descriptor */
	uint8_t		 buf[E1000E_TSO_MAX];
	uint8_t		 seg[E1000E_FRAME_MAX + 4];	/* one frame as sent */
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
	/* PHY registers by page; 0-15 and 22 are the same on every page
	 * and live in page 0. */
	uint16_t		 phy[E1000E_PHY_PAGES][E1000E_PHY_REGS];
	struct mtimer		 autoneg;	/* auto-negotiation running */
	bool			 carrier;	/* last carrier seen */
	struct mclock		*clk;		/* NULL: every delay is 0 */
	struct e1000e_intr	 intr;
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
void e1000e_update_link(struct e1000e *d);
/* Add N to a saturating 32-bit statistics counter / 64-bit pair. */
void e1000e_stat_inc(struct e1000e *d, uint32_t off, uint32_t n);
void e1000e_stat_add64(struct e1000e *d, uint32_t lo, uint64_t n);
/* The size-bucket counter (PRC64.. or PTC64..) for LEN bytes with FCS. */
uint32_t e1000e_size_bucket(uint32_t first, size_t len);

/* e1000e_intr.c */
void e1000e_intr_init(struct e1000e *d);
void e1000e_intr_reset(struct e1000e *d);
void e1000e_intr_stop(struct e1000e *d);
/* Raise CAUSES now (with whatever the delay timers held back). */
void e1000e_set_cause(struct e1000e *d, uint32_t causes);
/* ICR or IMS changed: recompute INT_ASSERTED and deliver. */
void e1000e_update_irq(struct e1000e *d);
/* A transmit pass on queue Q ended: TXDW (written back) and TXQE
 * (empty) as it says, delayed by TIDV/TADV when IDE asked. */
void e1000e_intr_tx(struct e1000e *d, unsigned q, bool wrote, bool empty,
    bool ide);
/* RX queue Q wrote descriptors back (LANDED) with EXTRA causes seen
 * (RXDMT0, SRPD, ACK; RXO for a miss); delayed by RDTR/RADV/RAID as
 * programmed. */
void e1000e_intr_rx(struct e1000e *d, unsigned q, bool landed,
    uint32_t extra);
uint32_t e1000e_icr_read(struct e1000e *d);
void e1000e_icr_write(struct e1000e *d, uint32_t val);
void e1000e_ims_write(struct e1000e *d, uint32_t val);
/* RDTR/TIDV written with FPD: a running delay ends now. */
void e1000e_intr_flush(struct e1000e *d, uint32_t timer_reg);
/* PBACLR written: clear those MSI-X pending bits. */
void e1000e_pbaclr_write(struct e1000e *d, uint32_t val);

/* e1000e_mmio.c */
void e1000e_regs_init(struct e1000e *d);
void e1000e_regs_reset(struct e1000e *d);

/* e1000e_phy.c */
void e1000e_phy_init(struct e1000e *d);
void e1000e_phy_reset(struct e1000e *d);
void e1000e_phy_set_link(struct e1000e *d, bool up);
/* Auto-negotiation in progress: the link stays down until it ends. */
bool e1000e_phy_negotiating(const struct e1000e *d);
/* PHY control's loopback bit: transmitted frames come back. */
bool e1000e_phy_loopback(const struct e1000e *d);
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

/* e1000e_txoff.c: the gathered frame T is complete (EOP): checksums,
 * segmentation, VLAN tag, padding, statistics, and the wire. */
void e1000e_tx_finish(struct e1000e *d, struct e1000e_txq *t);

/* e1000e_rx.c */
bool e1000e_rx_deliver(void *nic, const uint8_t *frame, size_t len);

/* e1000e_filter.c */
bool e1000e_filter_accept(const struct e1000e *d, const uint8_t *frame);
/* RCTL.VFE: an 802.1Q frame passes when VFTA has its VLAN ID. */
bool e1000e_vlan_accept(const struct e1000e *d, const struct e1000e_pkt *p);

/* e1000e_pkt.c: parse F (LEN bytes), an 802.1Q tag being type VET. */
void e1000e_pkt_parse(const uint8_t *f, size_t len, uint16_t vet,
    struct e1000e_pkt *p);

/* e1000e_rss.c: receive-side scaling (MRQC, RETA, RSSRK). */
struct e1000e_rss {
	uint32_t type;		/* MRQ RSS type, 0: none */
	uint32_t hash;
	unsigned queue;
};
bool e1000e_rss_enabled(const struct e1000e *d);
void e1000e_rss_compute(const struct e1000e *d, const uint8_t *f,
    const struct e1000e_pkt *p, struct e1000e_rss *r);

/* What a frame's EOP descriptor says beyond its length and DD. */
struct e1000e_rxmeta {
	uint32_t staterr;	/* extended layout: status 19:0, errors 31:24 */
	uint16_t vlan;		/* stripped tag (VP) */
	uint16_t ipid;		/* IPv4 identification (IPIDV) */
	struct e1000e_rss rss;
};

/* The status of a frame cut short (out of descriptors, a descriptor
 * read that faulted): EOP with RXE, in the extended layout. */
#define E1000E_RXD_STATERR_CUT	(E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP | \
    (uint32_t)E1000E_RXD_ERR_RXE << E1000E_RXDX_ERR_SHIFT)

/* e1000e_rx.c: a store ended at OFF of TOTAL bytes: whole, or cut short
 * (counted unless FAULT, which was counted where it happened). */
bool e1000e_rx_complete(struct e1000e *d, size_t off, size_t total,
    bool fault);

/* e1000e_rxps.c: packet-split descriptors. */
bool e1000e_rxps_enabled(const struct e1000e *d);
/* The header length to split off (0: no split) for frame P of TOTAL. */
size_t e1000e_rxps_header(const struct e1000e *d, const struct e1000e_pkt *p,
    size_t total);
/* Store d->rxbuf[0..total) as e1000e_rx.c's legacy/extended store does. */
bool e1000e_rxps_store(struct e1000e *d, uint32_t bal, size_t total,
    size_t hdr, const struct e1000e_rxmeta *m, bool *wrote, bool *lost,
    bool *missed);

#endif
