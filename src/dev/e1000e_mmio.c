/*
 * e1000e_mmio.c — the 82574L register file: which offsets exist, what
 * type each register is (read/write with a mask, read-only, read-to-clear,
 * write-only, or special), reset values, and BAR0 access dispatch.
 */
#include <stddef.h>
#include <string.h>

#include "dev/e1000e_core.h"

enum reg_kind {
	K_RW = 1,	/* stores val & mask */
	K_RO,		/* writes ignored */
	K_RC,		/* statistics: cleared by reading */
	K_RC_LO,	/* low half of a 64-bit counter: read without clearing */
	K_RC_HI,	/* high half: reading clears both halves */
	K_SPECIAL,	/* handled by name in reg_read / reg_write */
};

struct reg_def {
	uint32_t	 off;
	uint16_t	 count;		/* words in an array register */
	uint16_t	 stride;	/* words between array elements */
	uint8_t		 kind;
	uint32_t	 mask;		/* writable bits (K_RW) */
	uint32_t	 reset;
	const char	*name;
};

#define ALL	0xFFFFFFFFu
#define RW(o, m, r, n)	{ (o), 1, 1, K_RW, (m), (r), (n) }
#define RO(o, r, n)	{ (o), 1, 1, K_RO, 0, (r), (n) }
#define RC(o, n)	{ (o), 1, 1, K_RC, 0, 0, (n) }
#define SP(o, r, n)	{ (o), 1, 1, K_SPECIAL, ALL, (r), (n) }
#define ARR(o, c, s, m, n) { (o), (c), (s), K_RW, (m), 0, (n) }

/*
 * Reset values follow the 82574L datasheet's register descriptions (§10.2)
 * where it gives one and QEMU's e1000e model where it does not
 * (docs/e1000e.md lists the differences).
 */
static const struct reg_def reg_defs[] = {
	/* SLU starts clear: the MAC ignores the PHY's link until software
	 * sets it (docs/conformance.md, ctrl-slu-reset). */
	SP(E1000E_CTRL, E1000E_CTRL_FD | E1000E_CTRL_SPEED_1000 |
	    E1000E_CTRL_SDP0_DATA | E1000E_CTRL_ADVD3WUC, "CTRL"),
	SP(E1000E_CTRL_DUP, 0, "CTRL_DUP"),
	SP(E1000E_STATUS, 0, "STATUS"),
	SP(E1000E_EECD, E1000E_EECD_PRES | E1000E_EECD_AUTO_RD, "EECD"),
	SP(E1000E_EERD, E1000E_EERD_DONE, "EERD"),
	SP(E1000E_CTRL_EXT, 0, "CTRL_EXT"),
	RW(E1000E_FLA, ALL, 0, "FLA"),
	SP(E1000E_MDIC, 0, "MDIC"),
	RW(E1000E_FCAL, ALL, 0, "FCAL"),
	RW(E1000E_FCAH, 0xFFFF, 0, "FCAH"),
	RW(E1000E_FCT, 0xFFFF, 0, "FCT"),
	RW(E1000E_VET, 0xFFFF, E1000E_VET_8021Q, "VET"),
	SP(E1000E_ICR, 0, "ICR"),
	RW(E1000E_ITR, 0xFFFF, 0, "ITR"),
	SP(E1000E_ICS, 0, "ICS"),
	SP(E1000E_IMS, 0, "IMS"),
	SP(E1000E_IMC, 0, "IMC"),
	RW(E1000E_EIAC, ALL, 0, "EIAC"),
	RW(E1000E_IAM, ALL, 0, "IAM"),
	RW(E1000E_IVAR, ALL, 0, "IVAR"),
	ARR(E1000E_EITR(0), E1000E_MSIX_VECTORS, 1, 0xFFFF, "EITR"),
	RW(E1000E_RCTL, ALL, 0, "RCTL"),
	RW(E1000E_FCTTV, 0xFFFF, 0, "FCTTV"),
	SP(E1000E_TCTL, 0, "TCTL"),
	RW(E1000E_TIPG, ALL, 0x00602008, "TIPG"),
	RW(E1000E_AIT, 0xFFFF, 0, "AIT"),
	RW(E1000E_LEDCTL, ALL, 0x00068302, "LEDCTL"),
	RW(E1000E_EXTCNF_CTRL, ALL, 0x8, "EXTCNF_CTRL"),
	RW(E1000E_EXTCNF_SIZE, ALL, 0, "EXTCNF_SIZE"),
	RW(E1000E_POEMB, ALL, 0x30D, "POEMB"),
	RW(E1000E_PBA, ALL, 0x00140014, "PBA"),
	RW(E1000E_PBS, 0x3F, 0x28, "PBS"),
	RW(E1000E_EEMNGCTL, ALL, 0x80000000, "EEMNGCTL"),
	RW(E1000E_FLASHT, 0xFFFF, 0x2, "FLASHT"),
	SP(E1000E_EEWR, E1000E_EEWR_DONE, "EEWR"),
	RW(E1000E_FLSWCTL, ALL, 0xC0000000, "FLSWCTL"),
	RW(E1000E_FLSWDATA, ALL, 0, "FLSWDATA"),
	RW(E1000E_FLSWCNT, ALL, 0, "FLSWCNT"),
	RW(E1000E_FLOP, ALL, 0, "FLOP"),
	RW(E1000E_FLOL, ALL, 0x1, "FLOL"),
	RW(E1000E_FCRTL, 0x8000FFF8, 0, "FCRTL"),
	RW(E1000E_FCRTH, 0xFFF8, 0, "FCRTH"),
	RW(E1000E_FCRTV, 0xFFFF, 0, "FCRTV"),
	RW(E1000E_PSRCTL, ALL, 0x00040402, "PSRCTL"),
	/* FIFO pointers and packet count: 13 bits (§10.2.5, §10.2.6). */
	RW(E1000E_RDFH, 0x1FFF, 0, "RDFH"),
	RW(E1000E_RDFT, 0x1FFF, 0, "RDFT"),
	RW(E1000E_RDFHS, 0x1FFF, 0, "RDFHS"),
	RW(E1000E_RDFTS, 0x1FFF, 0, "RDFTS"),
	RW(E1000E_RDFPC, 0x1FFF, 0, "RDFPC"),
	RW(E1000E_TDFH, 0x1FFF, 0x600, "TDFH"),
	RW(E1000E_TDFT, 0x1FFF, 0x600, "TDFT"),
	RW(E1000E_TDFHS, 0x1FFF, 0x600, "TDFHS"),
	RW(E1000E_TDFTS, 0x1FFF, 0x600, "TDFTS"),
	RW(E1000E_TDFPC, 0x1FFF, 0, "TDFPC"),

	RW(E1000E_RDBAL0, E1000E_DBAL_MASK, 0, "RDBAL"),
	RW(E1000E_RDBAH0, ALL, 0, "RDBAH"),
	RW(E1000E_RDLEN0, E1000E_DLEN_MASK, 0, "RDLEN"),
	RW(E1000E_RDH0, E1000E_DH_MASK, 0, "RDH"),
	RW(E1000E_RDT0, E1000E_DH_MASK, 0, "RDT"),
	SP(E1000E_RDTR, 0, "RDTR"),
	RW(E1000E_RXDCTL0, ALL, 0x00010000, "RXDCTL"),
	RW(E1000E_RADV, 0xFFFF, 0, "RADV"),
	RW(E1000E_RDBAL1, E1000E_DBAL_MASK, 0, "RDBAL1"),
	RW(E1000E_RDBAH1, ALL, 0, "RDBAH1"),
	RW(E1000E_RDLEN1, E1000E_DLEN_MASK, 0, "RDLEN1"),
	RW(E1000E_RDH1, E1000E_DH_MASK, 0, "RDH1"),
	RW(E1000E_RDT1, E1000E_DH_MASK, 0, "RDT1"),
	RW(E1000E_RXDCTL1, ALL, 0x00010000, "RXDCTL1"),
	RW(E1000E_RSRPD, 0xFFF, 0, "RSRPD"),
	RW(E1000E_RAID, 0xFFFF, 0, "RAID"),

	RW(E1000E_TDBAL, E1000E_DBAL_MASK, 0, "TDBAL"),
	RW(E1000E_TDBAH, ALL, 0, "TDBAH"),
	RW(E1000E_TDLEN, E1000E_DLEN_MASK, 0, "TDLEN"),
	RW(E1000E_TDH, E1000E_DH_MASK, 0, "TDH"),
	SP(E1000E_TDT, 0, "TDT"),
	SP(E1000E_TIDV, 0, "TIDV"),
	RW(E1000E_TXDCTL, ALL, 0, "TXDCTL"),
	RW(E1000E_TADV, 0xFFFF, 0, "TADV"),
	RW(E1000E_TARC0, 0x780007FF, 0x3 | E1000E_TARC_ENABLE, "TARC0"),
	RW(E1000E_TDBAL1, E1000E_DBAL_MASK, 0, "TDBAL1"),
	RW(E1000E_TDBAH1, ALL, 0, "TDBAH1"),
	RW(E1000E_TDLEN1, E1000E_DLEN_MASK, 0, "TDLEN1"),
	RW(E1000E_TDH1, E1000E_DH_MASK, 0, "TDH1"),
	SP(E1000E_TDT1, 0, "TDT1"),
	RW(E1000E_TXDCTL1, ALL, 0, "TXDCTL1"),
	RW(E1000E_TARC1, 0x780007FF, 0x3 | E1000E_TARC_ENABLE, "TARC1"),

	RC(E1000E_CRCERRS, "CRCERRS"), RC(E1000E_ALGNERRC, "ALGNERRC"),
	RC(E1000E_SYMERRS, "SYMERRS"), RC(E1000E_RXERRC, "RXERRC"),
	RC(E1000E_MPC, "MPC"), RC(E1000E_SCC, "SCC"),
	RC(E1000E_ECOL, "ECOL"), RC(E1000E_MCC, "MCC"),
	RC(E1000E_LATECOL, "LATECOL"), RC(E1000E_COLC, "COLC"),
	RC(E1000E_DC, "DC"), RC(E1000E_TNCRS, "TNCRS"),
	RC(E1000E_SEC, "SEC"), RC(E1000E_CEXTERR, "CEXTERR"),
	RC(E1000E_RLEC, "RLEC"), RC(E1000E_XONRXC, "XONRXC"),
	RC(E1000E_XONTXC, "XONTXC"), RC(E1000E_XOFFRXC, "XOFFRXC"),
	RC(E1000E_XOFFTXC, "XOFFTXC"), RC(E1000E_FCRUC, "FCRUC"),
	RC(E1000E_PRC64, "PRC64"), RC(E1000E_PRC127, "PRC127"),
	RC(E1000E_PRC255, "PRC255"), RC(E1000E_PRC511, "PRC511"),
	RC(E1000E_PRC1023, "PRC1023"), RC(E1000E_PRC1522, "PRC1522"),
	RC(E1000E_GPRC, "GPRC"), RC(E1000E_BPRC, "BPRC"),
	RC(E1000E_MPRC, "MPRC"), RC(E1000E_GPTC, "GPTC"),
	{ E1000E_GORCL, 1, 1, K_RC_LO, 0, 0, "GORCL" },
	{ E1000E_GORCH, 1, 1, K_RC_HI, 0, 0, "GORCH" },
	{ E1000E_GOTCL, 1, 1, K_RC_LO, 0, 0, "GOTCL" },
	{ E1000E_GOTCH, 1, 1, K_RC_HI, 0, 0, "GOTCH" },
	RC(E1000E_RNBC, "RNBC"), RC(E1000E_RUC, "RUC"),
	RC(E1000E_RFC, "RFC"), RC(E1000E_ROC, "ROC"),
	RC(E1000E_RJC, "RJC"), RC(E1000E_MGTPRC, "MGTPRC"),
	RC(E1000E_MGTPDC, "MGTPDC"), RC(E1000E_MGTPTC, "MGTPTC"),
	{ E1000E_TORL, 1, 1, K_RC_LO, 0, 0, "TORL" },
	{ E1000E_TORH, 1, 1, K_RC_HI, 0, 0, "TORH" },
	{ E1000E_TOTL, 1, 1, K_RC_LO, 0, 0, "TOTL" },
	{ E1000E_TOTH, 1, 1, K_RC_HI, 0, 0, "TOTH" },
	RC(E1000E_TPR, "TPR"), RC(E1000E_TPT, "TPT"),
	RC(E1000E_PTC64, "PTC64"), RC(E1000E_PTC127, "PTC127"),
	RC(E1000E_PTC255, "PTC255"), RC(E1000E_PTC511, "PTC511"),
	RC(E1000E_PTC1023, "PTC1023"), RC(E1000E_PTC1522, "PTC1522"),
	RC(E1000E_MPTC, "MPTC"), RC(E1000E_BPTC, "BPTC"),
	RC(E1000E_TSCTC, "TSCTC"), RC(E1000E_TSCTFC, "TSCTFC"),
	RC(E1000E_IAC, "IAC"),

	RW(E1000E_RXCSUM, ALL, 0x300, "RXCSUM"),
	RW(E1000E_RFCTL, ALL, 0, "RFCTL"),
	ARR(E1000E_MAVTV0, 4, 1, ALL, "MAVTV"),
	ARR(E1000E_MTA, E1000E_MTA_WORDS, 1, ALL, "MTA"),
	ARR(E1000E_RAL(0), E1000E_RA_ENTRIES, 2, ALL, "RAL"),
	ARR(E1000E_RAH(0), E1000E_RA_ENTRIES, 2,
	    E1000E_RAH_AV | E1000E_RAH_ASEL_MASK | 0xFFFF, "RAH"),
	ARR(E1000E_VFTA, E1000E_VFTA_WORDS, 1, ALL, "VFTA"),
	RW(E1000E_MRQC, ALL, 0, "MRQC"),
	ARR(E1000E_RETA, E1000E_RETA_WORDS, 1, ALL, "RETA"),
	ARR(E1000E_RSSRK, E1000E_RSSRK_WORDS, 1, ALL, "RSSRK"),
	SP(E1000E_GCR, E1000E_GCR_RO_BITS | E1000E_GCR_L0S_ADJUST, "GCR"),
	RW(E1000E_GCR2, ALL, 0, "GCR2"),
	SP(E1000E_SWSM, 1, "SWSM"),
	RW(E1000E_FUNCTAG, ALL, 0, "FUNCTAG"),
	SP(E1000E_PBACLR, 0, "PBACLR"),

	/* Wake-up and manageability: stored (§10.2.7, §10.2.8). */
	RW(E1000E_WUC, ALL, 0, "WUC"),
	RW(E1000E_WUFC, ALL, 0, "WUFC"),
	RW(E1000E_WUS, ALL, 0, "WUS"),
	RW(E1000E_MANC, ALL, E1000E_MANC_DIS_IP_CHK_ARP, "MANC"),
	RW(E1000E_MFVAL, ALL, 0, "MFVAL"),
	RW(E1000E_MFUTP01, ALL, 0, "MFUTP01"),
	RW(E1000E_MFUTP23, ALL, 0, "MFUTP23"),
	RW(E1000E_IPAV, ALL, 0, "IPAV"),
	ARR(E1000E_IP4AT, 7, 1, ALL, "IP4AT"),
	RW(E1000E_MANC2H, ALL, 0, "MANC2H"),
	ARR(E1000E_IP6AT, 4, 1, ALL, "IP6AT"),
	ARR(E1000E_MDEF, 8, 1, ALL, "MDEF"),
	ARR(E1000E_WUPM, 32, 1, ALL, "WUPM"),
	ARR(E1000E_GSCL_1, 4, 1, ALL, "GSCL"),
	ARR(E1000E_GSCN_0, 4, 1, ALL, "GSCN"),
	RW(E1000E_FACTPS, ALL, E1000E_FACTPS_RESET, "FACTPS"),
	ARR(E1000E_FFLT, 11, 1, 0x7FF, "FFLT"),
	ARR(E1000E_FFMT, 255, 1, 0xF, "FFMT"),
	ARR(E1000E_FTFT, 255, 1, ALL, "FTFT"),
	ARR(E1000E_FFVT, 255, 1, ALL, "FFVT"),

	/* Time synchronisation: stored (§10.2.10). */
	ARR(E1000E_TSYNCTXCTL, E1000E_TSYNC_REGS - 2, 1, ALL, "TSYNC"),
	RW(E1000E_RXCFGL, ALL, 0x88F7, "RXCFGL"),
	RW(E1000E_RXUDP, ALL, 0x319, "RXUDP"),

	/* Packet buffer memory: 40 KiB of storage (§10.2.11). */
	ARR(E1000E_PBM, E1000E_PBM_WORDS, 1, ALL, "PBM"),
};

/*
 * The 82542 compatibility aliases (datasheet §10.2, register summary):
 * the old offsets of the receive address table, the queue 0 rings, the
 * flow control thresholds, the VLAN table and the FIFO pointers decode
 * to the registers themselves.
 */
static const struct {
	uint32_t off, len, target;
} aliases[] = {
	{ 0x0040, 8 * E1000E_RA_ENTRIES, E1000E_RAL(0) },
	{ 0x0108, 4, E1000E_RDTR },
	{ 0x0110, 12, E1000E_RDBAL0 },
	{ 0x0120, 4, E1000E_RDH0 },
	{ 0x0128, 4, E1000E_RDT0 },
	{ 0x0160, 4, E1000E_FCRTH },
	{ 0x0168, 4, E1000E_FCRTL },
	{ 0x0420, 12, E1000E_TDBAL },
	{ 0x0430, 4, E1000E_TDH },
	{ 0x0438, 4, E1000E_TDT },
	{ 0x0440, 4, E1000E_TIDV },
	{ 0x0600, 4 * E1000E_VFTA_WORDS, E1000E_VFTA },
	{ 0x8000, 4, E1000E_RDFH },
	{ 0x8008, 4, E1000E_RDFT },
	{ 0x8010, 4, E1000E_TDFH },
	{ 0x8018, 4, E1000E_TDFT },
};

/* OFF with an alias resolved to the register it names. */
static uint64_t
unalias(uint64_t off)
{
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (off >= aliases[i].off &&
		    off < aliases[i].off + aliases[i].len)
			return aliases[i].target + (off - aliases[i].off);
	return off;
}

#define NDEFS	(sizeof(reg_defs) / sizeof(reg_defs[0]))

static const struct reg_def *
reg_def_of(const struct e1000e *d, uint32_t off)
{
	uint16_t k = d->kind[off >> 2];

	return k == 0 ? NULL : &reg_defs[k - 1];
}

void
e1000e_regs_init(struct e1000e *d)
{
	size_t i;
	unsigned j;

	memset(d->kind, 0, sizeof(d->kind));
	for (i = 0; i < NDEFS; i++)
		for (j = 0; j < reg_defs[i].count; j++)
			d->kind[(reg_defs[i].off >> 2) +
			    (size_t)j * reg_defs[i].stride] = (uint16_t)(i + 1);
}

void
e1000e_regs_reset(struct e1000e *d)
{
	size_t i;
	unsigned j;

	memset(d->regs, 0, sizeof(d->regs));
	for (i = 0; i < NDEFS; i++)
		for (j = 0; j < reg_defs[i].count; j++)
			d->regs[(reg_defs[i].off >> 2) +
			    (size_t)j * reg_defs[i].stride] = reg_defs[i].reset;
}

const char *
e1000e_reg_name(uint64_t off)
{
	size_t i;
	uint64_t w;

	if (off >= E1000E_BAR0_SIZE)
		return NULL;
	w = off >> 2;
	for (i = 0; i < NDEFS; i++) {
		uint64_t base = reg_defs[i].off >> 2;
		uint64_t span = (uint64_t)(reg_defs[i].count - 1) *
		    reg_defs[i].stride;

		if (w >= base && w <= base + span &&
		    (w - base) % reg_defs[i].stride == 0)
			return reg_defs[i].name;
	}
	return NULL;
}

/* STATUS as read: stored LU/PHYRA plus what the link partner reports. */
static uint32_t
status_value(const struct e1000e *d)
{
	uint32_t ctrl = e1000e_reg(d, E1000E_CTRL);
	uint32_t v = e1000e_reg(d, E1000E_STATUS);
	uint32_t spd;

	if (!(ctrl & E1000E_CTRL_GIO_MASTER_DISABLE))
		v |= E1000E_STATUS_GIO_MASTER_ENABLE;
	if (!(ctrl & E1000E_CTRL_FRCDPX) || (ctrl & E1000E_CTRL_FD))
		v |= E1000E_STATUS_FD;
	spd = 2;
	/* The speed CTRL forces, or the one CTRL_EXT.SPD_BYPS takes from
	 * CTRL without the MAC's resolution (§10.2.2.5). */
	if ((ctrl & E1000E_CTRL_FRCSPD) ||
	    (e1000e_reg(d, E1000E_CTRL_EXT) & E1000E_CTRL_EXT_SPD_BYPS)) {
		spd = (ctrl & E1000E_CTRL_SPEED_MASK) >> 8;
		if (spd == 3)
			spd = 2;
	}
	v |= spd << 6;
	v |= E1000E_STATUS_ASDV_1000;
	return v;
}

uint32_t
e1000e_peek(const struct e1000e *d, uint32_t off)
{
	const struct reg_def *r;

	if (d == NULL || off >= E1000E_BAR0_SIZE)
		return 0;
	off = (uint32_t)unalias(off & ~3u);
	if ((r = reg_def_of(d, off)) == NULL)
		return 0;
	switch (off) {
	case E1000E_CTRL_DUP:
		return e1000e_reg(d, E1000E_CTRL);
	case E1000E_STATUS:
		return status_value(d);
	case E1000E_ICS:
		return e1000e_reg(d, E1000E_ICR);
	case E1000E_IMC:
		return 0;
	}
	return e1000e_reg(d, off);
}

static uint32_t
reg_read(struct e1000e *d, uint32_t off)
{
	const struct reg_def *r = reg_def_of(d, off);
	uint32_t v;

	if (r == NULL)
		return 0;
	v = e1000e_reg(d, off);
	switch (r->kind) {
	case K_RW:
	case K_RO:
	case K_RC_LO:
		return v;
	case K_RC:
		e1000e_reg_set(d, off, 0);
		return v;
	case K_RC_HI:
		e1000e_reg_set(d, off, 0);
		e1000e_reg_set(d, off - 4, 0);
		return v;
	}
	switch (off) {
	case E1000E_STATUS:
		e1000e_update_link(d);
		return status_value(d);
	case E1000E_CTRL_DUP:
		return e1000e_reg(d, E1000E_CTRL);
	case E1000E_ICR:
		return e1000e_icr_read(d);
	case E1000E_ICS:
		/* Write-only in the datasheet; reads mirror ICR without
		 * clearing it, as real parts (and QEMU) do. */
		return e1000e_reg(d, E1000E_ICR);
	case E1000E_IMC:
		return 0;
	case E1000E_SWSM:
		/* Reading takes the SMBI semaphore (bit 0). */
		e1000e_reg_set(d, off, v | 1u);
		return v;
	}
	return v;
}

static void
ctrl_write(struct e1000e *d, uint32_t val)
{
	if (val & E1000E_CTRL_RST) {
		e1000e_reset(d);
		return;
	}
	e1000e_reg_set(d, E1000E_CTRL, val);
	if (val & E1000E_CTRL_PHY_RST) {
		e1000e_phy_reset(d);
		e1000e_reg_set(d, E1000E_STATUS,
		    e1000e_reg(d, E1000E_STATUS) | E1000E_STATUS_PHYRA);
	}
	e1000e_update_link(d);
}

static void
eerd_write(struct e1000e *d, uint32_t val)
{
	uint32_t addr = (val >> E1000E_EERD_ADDR_SHIFT) & E1000E_EERD_ADDR_MASK;
	uint32_t v = addr << E1000E_EERD_ADDR_SHIFT;

	if ((val & E1000E_EERD_START) && addr < E1000E_EEPROM_WORDS)
		v |= E1000E_EERD_DONE |
		    (uint32_t)d->eeprom[addr] << E1000E_EERD_DATA_SHIFT;
	e1000e_reg_set(d, E1000E_EERD, v);
}

/* EEWR (§10.2.2.6): START with a word address below 64 writes the
 * word; DONE, the address and the data read back. */
static void
eewr_write(struct e1000e *d, uint32_t val)
{
	uint32_t addr = (val >> E1000E_EERD_ADDR_SHIFT) & E1000E_EERD_ADDR_MASK;
	uint32_t v = (val & ~(E1000E_EEWR_START | E1000E_EEWR_DONE));

	if ((val & E1000E_EEWR_START) && addr < E1000E_EEPROM_WORDS) {
		d->eeprom[addr] = (uint16_t)(val >> E1000E_EERD_DATA_SHIFT);
		v |= E1000E_EEWR_DONE;
	}
	e1000e_reg_set(d, E1000E_EEWR, v);
}

static void
reg_write(struct e1000e *d, uint32_t off, uint32_t val)
{
	const struct reg_def *r = reg_def_of(d, off);
	uint32_t v;

	if (r == NULL)
		return;
	switch (r->kind) {
	case K_RW:
		e1000e_reg_set(d, off, val & r->mask);
		return;
	case K_RO:
	case K_RC:
	case K_RC_LO:
	case K_RC_HI:
		return;
	}
	switch (off) {
	case E1000E_CTRL:
	case E1000E_CTRL_DUP:
		ctrl_write(d, val);
		break;
	case E1000E_STATUS:
		/* Only PHYRA is writable, and only to clear it. */
		if (!(val & E1000E_STATUS_PHYRA))
			e1000e_reg_set(d, off,
			    e1000e_reg(d, off) & ~E1000E_STATUS_PHYRA);
		break;
	case E1000E_EECD:
		v = E1000E_EECD_PRES | E1000E_EECD_AUTO_RD |
		    E1000E_EECD_SIZE_EX_MASK;
		e1000e_reg_set(d, off, (e1000e_reg(d, off) & v) | (val & ~v));
		break;
	case E1000E_EERD:
		eerd_write(d, val);
		break;
	case E1000E_EEWR:
		eewr_write(d, val);
		break;
	case E1000E_RDTR:
	case E1000E_TIDV:
		/* 16 bits of delay; FPD (31) ends a running delay now. */
		e1000e_reg_set(d, off, val & 0xFFFF);
		if (val & E1000E_DELAY_FPD)
			e1000e_intr_flush(d, off);
		break;
	case E1000E_PBACLR:
		e1000e_pbaclr_write(d, val);
		break;
	case E1000E_CTRL_EXT:
		e1000e_reg_set(d, off,
		    val & ~(E1000E_CTRL_EXT_ASDCHK | E1000E_CTRL_EXT_EE_RST));
		break;
	case E1000E_MDIC:
		v = e1000e_mdic_write(d, val);
		e1000e_reg_set(d, off, v);
		if (v & E1000E_MDIC_INT_EN)
			e1000e_set_cause(d, E1000E_ICR_MDAC);
		break;
	case E1000E_ICR:
		e1000e_icr_write(d, val);
		break;
	case E1000E_ICS:
		e1000e_set_cause(d, val);
		break;
	case E1000E_IMS:
		e1000e_ims_write(d, val);
		break;
	case E1000E_IMC:
		e1000e_reg_set(d, E1000E_IMS, e1000e_reg(d, E1000E_IMS) & ~val);
		e1000e_update_irq(d);
		break;
	case E1000E_TCTL:
		e1000e_reg_set(d, off, val);
		if (val & E1000E_TCTL_EN) {
			e1000e_tx_process(d, 0);
			e1000e_tx_process(d, 1);
		}
		break;
	case E1000E_TDT:
	case E1000E_TDT1:
		e1000e_reg_set(d, off, val & E1000E_DH_MASK);
		e1000e_tx_process(d, off == E1000E_TDT ? 0 : 1);
		break;
	case E1000E_GCR:
		e1000e_reg_set(d, off, (val & ~E1000E_GCR_RO_BITS) |
		    E1000E_GCR_RO_BITS);
		break;
	case E1000E_SWSM:
		e1000e_reg_set(d, off, val);
		break;
	}
}

/*
 * Accesses: 4 bytes at a 4-aligned offset is a register access. 8 bytes
 * at a 4-aligned offset is two register accesses, low word first. Reads of
 * 1 or 2 bytes within one register return those bytes of a full read
 * (side effects included); writes of 1 or 2 bytes are ignored (the 82574L
 * takes only whole-register writes). Anything else reads 0, writes
 * nothing, and is counted in bad_mmio.
 */
static bool
access_ok(struct e1000e *d, uint64_t off, unsigned size)
{
	bool ok;

	switch (size) {
	case 1:
	case 2:
		ok = off < E1000E_BAR0_SIZE && (off & 3) + size <= 4;
		break;
	case 4:
	case 8:
		ok = off < E1000E_BAR0_SIZE &&
		    off + size <= E1000E_BAR0_SIZE && (off & 3) == 0;
		break;
	default:
		ok = false;
	}
	if (!ok)
		d->cnt.bad_mmio++;
	return ok;
}

static uint64_t
mmio_read(void *dev, uint64_t off, unsigned size)
{
	struct e1000e *d = dev;
	uint32_t v;

	if (d == NULL || !access_ok(d, off, size))
		return 0;
	if (size == 8) {
		uint64_t lo = reg_read(d, (uint32_t)unalias(off));

		return lo | (uint64_t)reg_read(d, (uint32_t)unalias(off + 4))
		    << 32;
	}
	v = reg_read(d, (uint32_t)unalias(off & ~3ull));
	if (size == 4)
		return v;
	v >>= 8 * (off & 3);
	return size == 1 ? (v & 0xFF) : (v & 0xFFFF);
}

static void
mmio_write(void *dev, uint64_t off, uint64_t val, unsigned size)
{
	struct e1000e *d = dev;

	if (d == NULL || !access_ok(d, off, size))
		return;
	if (size < 4) {
		d->cnt.bad_mmio++;
		return;
	}
	reg_write(d, (uint32_t)unalias(off), (uint32_t)val);
	if (size == 8)
		reg_write(d, (uint32_t)unalias(off + 4), (uint32_t)(val >> 32));
}

static const char *
mmio_reg_name(void *dev, uint64_t off)
{
	(void)dev;
	return e1000e_reg_name(off);
}

const struct mmio_ops e1000e_mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.reg_name = mmio_reg_name,
};
