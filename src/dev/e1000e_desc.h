/*
 * e1000e_desc.h — the 82574L's legacy descriptors: the transmit and receive
 * layouts with their field and bit names, and their little-endian packing
 * into the 16 bytes the device reads and writes by DMA.
 *
 * Header-only: the device model, the kernel stub, the user-level driver
 * and the benchmark's raw arm all use it, and the user side links against
 * nothing trusted. Simulated memory is bytes, so the structs are values,
 * never memory images: pack and unpack do the byte order. Code that
 * touches one field through a capability uses the byte offsets, or a
 * 64-bit access to quadword 1 with the _qw1 helpers.
 *
 * Ring head/tail protocol: e1000e_ring.h.
 */
#ifndef CAPIO_DEV_E1000E_DESC_H
#define CAPIO_DEV_E1000E_DESC_H

#include <stdint.h>

#define E1000E_DESC_SIZE	16u

/*
 * Both layouts start with the buffer address (quadword 0); quadword 1
 * holds the rest. Byte offsets within a descriptor:
 */
#define E1000E_DESC_ADDR_OFF	0u
#define E1000E_DESC_QW1_OFF	8u

/*
 * Legacy transmit descriptor, CMD.DEXT clear (82574L datasheet §7.2.10.1):
 *
 *   63           48 47    40 39  36 35  32 31    24 23    16 15           0
 *  +---------------+--------+------+------+--------+--------+--------------+
 *  |         buffer address [63:0]                                         |
 *  +---------------+--------+------+------+--------+--------+--------------+
 *  |    special    |  CSS   |ExtCMD| STA  |  CMD   |  CSO   |    length    |
 *  +---------------+--------+------+------+--------+--------+--------------+
 */
#define E1000E_TXD_LENGTH_OFF	8u
#define E1000E_TXD_CSO_OFF	10u
#define E1000E_TXD_CMD_OFF	11u
#define E1000E_TXD_STA_OFF	12u	/* STA in bits 3:0, ExtCMD in 7:4 */
#define E1000E_TXD_CSS_OFF	13u
#define E1000E_TXD_SPECIAL_OFF	14u

struct e1000e_tx_desc {
	uint64_t addr;		/* buffer address */
	uint16_t length;	/* bytes in this buffer */
	uint8_t	 cso;		/* checksum offset (IC) */
	uint8_t	 cmd;		/* E1000E_TXD_CMD_* */
	uint8_t	 sta;		/* E1000E_TXD_STA_*, ExtCMD above */
	uint8_t	 css;		/* checksum start (IC) */
	uint16_t special;	/* VLAN tag to insert (VLE) */
};

/* CMD. VLE, IFCS and IC are looked at on the EOP descriptor only. */
#define E1000E_TXD_CMD_EOP	(1u << 0)	/* last buffer of the frame */
#define E1000E_TXD_CMD_IFCS	(1u << 1)	/* append the FCS */
#define E1000E_TXD_CMD_IC	(1u << 2)	/* insert checksum at CSO */
#define E1000E_TXD_CMD_RS	(1u << 3)	/* report status: write back DD */
#define E1000E_TXD_CMD_RPS	(1u << 4)	/* report packet sent (8254x); ignored */
#define E1000E_TXD_CMD_DEXT	(1u << 5)	/* extended layout, not legacy */
#define E1000E_TXD_CMD_VLE	(1u << 6)	/* insert the VLAN tag */
#define E1000E_TXD_CMD_IDE	(1u << 7)	/* delay the interrupt (TIDV) */

/* STA: written back only when CMD.RS asked; the model sets DD alone. */
#define E1000E_TXD_STA_DD	(1u << 0)	/* descriptor done */
#define E1000E_TXD_STA_EC	(1u << 1)	/* excess collisions */
#define E1000E_TXD_STA_LC	(1u << 2)	/* late collision */
#define E1000E_TXD_STA_TU	(1u << 3)	/* transmit underrun */

/*
 * With CMD.DEXT set the descriptor is an extended one (82574L datasheet
 * §7.2.10, "Transmit Descriptors"): DTYP in bits 23:20 of quadword 1 (the
 * CSO byte's high half) says context (0) or data (1); a data descriptor's
 * length is 20 bits wide (15:0 plus the CSO byte's low half).
 */
#define E1000E_TXD_DTYP_CONTEXT	0u
#define E1000E_TXD_DTYP_DATA	1u

static inline unsigned
e1000e_txd_dtyp(const struct e1000e_tx_desc *d)
{
	return d->cso >> 4;
}

static inline uint32_t
e1000e_txd_ext_length(const struct e1000e_tx_desc *d)
{
	return (uint32_t)d->length | (uint32_t)(d->cso & 0xFu) << 16;
}

/*
 * Legacy receive descriptor (82574L datasheet §7.1.3). Software writes the
 * buffer address; the device writes back quadword 1:
 *
 *   63           48 47      40 39      32 31            16 15            0
 *  +---------------+----------+----------+----------------+---------------+
 *  |         buffer address [63:0]                                        |
 *  +---------------+----------+----------+----------------+---------------+
 *  |    special    |  errors  |  status  | packet checksum|    length     |
 *  +---------------+----------+----------+----------------+---------------+
 */
#define E1000E_RXD_LENGTH_OFF	8u
#define E1000E_RXD_CSUM_OFF	10u
#define E1000E_RXD_STATUS_OFF	12u
#define E1000E_RXD_ERRORS_OFF	13u
#define E1000E_RXD_SPECIAL_OFF	14u

struct e1000e_rx_desc {
	uint64_t addr;		/* buffer address; 0: a null descriptor */
	uint16_t length;	/* bytes written to this buffer */
	uint16_t csum;		/* packet checksum */
	uint8_t	 status;	/* E1000E_RXD_STA_* */
	uint8_t	 errors;	/* E1000E_RXD_ERR_*, valid with DD and EOP */
	uint16_t special;	/* stripped VLAN tag (VP) */
};

/* Status. */
#define E1000E_RXD_STA_DD	(1u << 0)	/* descriptor done */
#define E1000E_RXD_STA_EOP	(1u << 1)	/* last buffer of the frame */
#define E1000E_RXD_STA_IXSM	(1u << 2)	/* ignore checksum indication */
#define E1000E_RXD_STA_VP	(1u << 3)	/* 802.1Q, tag in special */
#define E1000E_RXD_STA_UDPCS	(1u << 4)	/* UDP checksum calculated */
#define E1000E_RXD_STA_TCPCS	(1u << 5)	/* TCP checksum calculated */
#define E1000E_RXD_STA_IPCS	(1u << 6)	/* IPv4 checksum calculated */
#define E1000E_RXD_STA_PIF	(1u << 7)	/* passed inexact filter */

/* Errors (bit 3 reserved). */
#define E1000E_RXD_ERR_CE	(1u << 0)	/* CRC or alignment error */
#define E1000E_RXD_ERR_SE	(1u << 1)	/* symbol error */
#define E1000E_RXD_ERR_SEQ	(1u << 2)	/* sequence error */
#define E1000E_RXD_ERR_CXE	(1u << 4)	/* carrier extension error */
#define E1000E_RXD_ERR_TCPE	(1u << 5)	/* TCP/UDP checksum error */
#define E1000E_RXD_ERR_IPE	(1u << 6)	/* IPv4 checksum error */
#define E1000E_RXD_ERR_RXE	(1u << 7)	/* RX data error */

/*
 * Extended receive descriptor, RFCTL.EXTEN set (82574L datasheet
 * §7.1.5): software writes the buffer address in quadword 0 (quadword 1
 * is ignored); the device writes back all 16 bytes:
 *
 *   bytes 0-3    MRQ: RSS type 3:0, RSS queue 9:8
 *   bytes 4-7    RSS hash (RXCSUM.PCSD), else IP identification (4-5)
 *                and packet checksum (6-7)
 *   bytes 8-11   extended status 19:0, extended errors 31:20 (the legacy
 *                error byte in 31:24)
 *   bytes 12-13  length;  bytes 14-15  VLAN tag (VP)
 */
#define E1000E_RXDX_MRQ_OFF	0u
#define E1000E_RXDX_RSS_OFF	4u
#define E1000E_RXDX_IPID_OFF	4u
#define E1000E_RXDX_CSUM_OFF	6u
#define E1000E_RXDX_STATERR_OFF	8u
#define E1000E_RXDX_LENGTH_OFF	12u
#define E1000E_RXDX_VLAN_OFF	14u
#define E1000E_RXDX_STA_IPIDV	(1u << 9)	/* IP identification valid */
#define E1000E_RXDX_STA_ACK	(1u << 15)	/* a TCP ACK frame */
#define E1000E_RXDX_PKTTYPE_SHIFT 16		/* 19:16 packet type */
#define E1000E_RXDX_ERR_SHIFT	24u
#define E1000E_RXDX_MRQ_QUEUE_SHIFT 8u

/*
 * Transmit context descriptor, CMD.DEXT set and DTYP 0 (82574L datasheet
 * §7.2.10.2): where the IP and TCP/UDP checksums start, land and end,
 * and for TCP segmentation the payload length, header length and MSS.
 * It carries no data and takes effect for the data descriptors after it.
 *
 *   byte 0 IPCSS   byte 1 IPCSO   bytes 2-3 IPCSE (0: to the end)
 *   byte 4 TUCSS   byte 5 TUCSO   bytes 6-7 TUCSE (0: to the end)
 *   bytes 8-10 PAYLEN (19:0), DTYP 0 (23:20)   byte 11 TUCMD
 *   byte 12 STA    byte 13 HDRLEN   bytes 14-15 MSS
 *
 * Data descriptor, DTYP 1 (§7.2.10.3): buffer address, DTALEN (19:0),
 * DCMD in byte 11, STA in byte 12, POPTS (which checksums to insert) in
 * byte 13 and the VLAN tag in bytes 14-15: the legacy field positions,
 * so struct e1000e_tx_desc reads both (cmd is DCMD, css is POPTS).
 */
struct e1000e_tx_ctx {
	uint8_t	 ipcss, ipcso;
	uint16_t ipcse;
	uint8_t	 tucss, tucso;
	uint16_t tucse;
	uint32_t paylen;	/* TSO: payload bytes after the header */
	uint8_t	 tucmd;		/* E1000E_TXD_TUCMD_* and DEXT, RS, IDE */
	uint8_t	 hdrlen;	/* TSO: header bytes repeated per segment */
	uint16_t mss;		/* TSO: payload bytes per segment */
};

#define E1000E_TXD_CMD_TSE	(1u << 2)	/* DCMD/TUCMD: segment */
#define E1000E_TXD_TUCMD_TCP	(1u << 0)	/* TCP, else UDP */
#define E1000E_TXD_TUCMD_IP	(1u << 1)	/* IPv4, else IPv6 */
#define E1000E_TXD_POPTS_IXSM	(1u << 0)	/* insert the IP checksum */
#define E1000E_TXD_POPTS_TXSM	(1u << 1)	/* insert the L4 checksum */

static inline void
e1000e_tx_ctx_unpack(const uint8_t *b, struct e1000e_tx_ctx *c)
{
	c->ipcss = b[0];
	c->ipcso = b[1];
	c->ipcse = (uint16_t)(b[2] | b[3] << 8);
	c->tucss = b[4];
	c->tucso = b[5];
	c->tucse = (uint16_t)(b[6] | b[7] << 8);
	c->paylen = (uint32_t)b[8] | (uint32_t)b[9] << 8 |
	    (uint32_t)(b[10] & 0xF) << 16;
	c->tucmd = b[11];
	c->hdrlen = b[13];
	c->mss = (uint16_t)(b[14] | b[15] << 8);
}

/* Bit position of the field at byte offset OFF within quadword 1. */
#define E1000E_DESC_QW1_SHIFT(off)	(8u * ((off) - E1000E_DESC_QW1_OFF))

/* One little-endian quadword of a descriptor in (host copies of)
 * simulated memory. */
static inline uint64_t
e1000e_desc_get64(const uint8_t *p)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline void
e1000e_desc_put64(uint8_t *p, uint64_t v)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A little-endian 16- or 32-bit field of a write-back. */
static inline void
e1000e_desc_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
e1000e_desc_put32(uint8_t *p, uint32_t v)
{
	e1000e_desc_put16(p, v);
	e1000e_desc_put16(p + 2, v >> 16);
}

/* Quadword 1 as a little-endian 64-bit load or store sees it. */
static inline uint64_t
e1000e_tx_desc_qw1(const struct e1000e_tx_desc *d)
{
	return (uint64_t)d->length <<
	    E1000E_DESC_QW1_SHIFT(E1000E_TXD_LENGTH_OFF) |
	    (uint64_t)d->cso << E1000E_DESC_QW1_SHIFT(E1000E_TXD_CSO_OFF) |
	    (uint64_t)d->cmd << E1000E_DESC_QW1_SHIFT(E1000E_TXD_CMD_OFF) |
	    (uint64_t)d->sta << E1000E_DESC_QW1_SHIFT(E1000E_TXD_STA_OFF) |
	    (uint64_t)d->css << E1000E_DESC_QW1_SHIFT(E1000E_TXD_CSS_OFF) |
	    (uint64_t)d->special <<
	    E1000E_DESC_QW1_SHIFT(E1000E_TXD_SPECIAL_OFF);
}

static inline void
e1000e_tx_desc_set_qw1(struct e1000e_tx_desc *d, uint64_t q)
{
	d->length = (uint16_t)(q >>
	    E1000E_DESC_QW1_SHIFT(E1000E_TXD_LENGTH_OFF));
	d->cso = (uint8_t)(q >> E1000E_DESC_QW1_SHIFT(E1000E_TXD_CSO_OFF));
	d->cmd = (uint8_t)(q >> E1000E_DESC_QW1_SHIFT(E1000E_TXD_CMD_OFF));
	d->sta = (uint8_t)(q >> E1000E_DESC_QW1_SHIFT(E1000E_TXD_STA_OFF));
	d->css = (uint8_t)(q >> E1000E_DESC_QW1_SHIFT(E1000E_TXD_CSS_OFF));
	d->special = (uint16_t)(q >>
	    E1000E_DESC_QW1_SHIFT(E1000E_TXD_SPECIAL_OFF));
}

static inline uint64_t
e1000e_rx_desc_qw1(const struct e1000e_rx_desc *d)
{
	return (uint64_t)d->length <<
	    E1000E_DESC_QW1_SHIFT(E1000E_RXD_LENGTH_OFF) |
	    (uint64_t)d->csum << E1000E_DESC_QW1_SHIFT(E1000E_RXD_CSUM_OFF) |
	    (uint64_t)d->status <<
	    E1000E_DESC_QW1_SHIFT(E1000E_RXD_STATUS_OFF) |
	    (uint64_t)d->errors <<
	    E1000E_DESC_QW1_SHIFT(E1000E_RXD_ERRORS_OFF) |
	    (uint64_t)d->special <<
	    E1000E_DESC_QW1_SHIFT(E1000E_RXD_SPECIAL_OFF);
}

static inline void
e1000e_rx_desc_set_qw1(struct e1000e_rx_desc *d, uint64_t q)
{
	d->length = (uint16_t)(q >>
	    E1000E_DESC_QW1_SHIFT(E1000E_RXD_LENGTH_OFF));
	d->csum = (uint16_t)(q >> E1000E_DESC_QW1_SHIFT(E1000E_RXD_CSUM_OFF));
	d->status = (uint8_t)(q >>
	    E1000E_DESC_QW1_SHIFT(E1000E_RXD_STATUS_OFF));
	d->errors = (uint8_t)(q >>
	    E1000E_DESC_QW1_SHIFT(E1000E_RXD_ERRORS_OFF));
	d->special = (uint16_t)(q >>
	    E1000E_DESC_QW1_SHIFT(E1000E_RXD_SPECIAL_OFF));
}

/* The whole 16 bytes. */
static inline void
e1000e_tx_desc_pack(const struct e1000e_tx_desc *d, uint8_t *b)
{
	e1000e_desc_put64(b + E1000E_DESC_ADDR_OFF, d->addr);
	e1000e_desc_put64(b + E1000E_DESC_QW1_OFF, e1000e_tx_desc_qw1(d));
}

static inline void
e1000e_tx_desc_unpack(const uint8_t *b, struct e1000e_tx_desc *d)
{
	d->addr = e1000e_desc_get64(b + E1000E_DESC_ADDR_OFF);
	e1000e_tx_desc_set_qw1(d, e1000e_desc_get64(b + E1000E_DESC_QW1_OFF));
}

static inline void
e1000e_rx_desc_pack(const struct e1000e_rx_desc *d, uint8_t *b)
{
	e1000e_desc_put64(b + E1000E_DESC_ADDR_OFF, d->addr);
	e1000e_desc_put64(b + E1000E_DESC_QW1_OFF, e1000e_rx_desc_qw1(d));
}

static inline void
e1000e_rx_desc_unpack(const uint8_t *b, struct e1000e_rx_desc *d)
{
	d->addr = e1000e_desc_get64(b + E1000E_DESC_ADDR_OFF);
	e1000e_rx_desc_set_qw1(d, e1000e_desc_get64(b + E1000E_DESC_QW1_OFF));
}

#endif
