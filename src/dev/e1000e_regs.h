/*
 * e1000e_regs.h — the Intel 82574L (e1000e) register map as a driver sees
 * it: BAR0 offsets and register bits. Descriptors: e1000e_desc.h.
 *
 * Shared by the device model, the kernel stub and the user-level driver so
 * that all three use the datasheet's names (82574L datasheet §10.2, whose
 * register summary gives every offset here).
 */
#ifndef CAPIO_DEV_E1000E_REGS_H
#define CAPIO_DEV_E1000E_REGS_H

#include <stdint.h>

#define E1000E_BAR0_SIZE	0x20000u	/* 128 KiB of registers */
#define E1000E_VENDOR_ID	0x8086u
#define E1000E_DEVICE_ID	0x10D3u		/* 82574L */

/* General (§10.2.2). */
#define E1000E_CTRL		0x00000u
#define E1000E_CTRL_DUP		0x00004u	/* alias of CTRL */
#define E1000E_STATUS		0x00008u
#define E1000E_EECD		0x00010u
#define E1000E_EERD		0x00014u
#define E1000E_CTRL_EXT		0x00018u
#define E1000E_FLA		0x0001Cu
#define E1000E_MDIC		0x00020u
#define E1000E_FCAL		0x00028u
#define E1000E_FCAH		0x0002Cu
#define E1000E_FCT		0x00030u
#define E1000E_VET		0x00038u
#define E1000E_FCTTV		0x00170u
#define E1000E_LEDCTL		0x00E00u
#define E1000E_EXTCNF_CTRL	0x00F00u
#define E1000E_EXTCNF_SIZE	0x00F08u
#define E1000E_POEMB		0x00F10u	/* PHY OEM bits */
#define E1000E_PBA		0x01000u
#define E1000E_PBS		0x01008u
#define E1000E_EEMNGCTL		0x01010u
#define E1000E_FCRTL		0x02160u
#define E1000E_FCRTH		0x02168u
#define E1000E_FCRTV		0x05F40u
#define E1000E_GCR		0x05B00u
#define E1000E_GCR2		0x05B08u
#define E1000E_SWSM		0x05B50u
#define E1000E_FUNCTAG		0x05B64u

/* EEPROM and flash (§10.2.2.3-§10.2.2.6; flash registers §10.2.3). */
#define E1000E_FLASHT		0x01028u
#define E1000E_EEWR		0x0102Cu
#define E1000E_FLSWCTL		0x01030u
#define E1000E_FLSWDATA		0x01034u
#define E1000E_FLSWCNT		0x01038u
#define E1000E_FLOP		0x0103Cu
#define E1000E_FLOL		0x01050u

/* Packet buffer FIFOs (§10.2.5, §10.2.6): head, tail, saved head and
 * tail, packet count, 13 bits each. */
#define E1000E_RDFH		0x02410u
#define E1000E_RDFT		0x02418u
#define E1000E_RDFHS		0x02420u
#define E1000E_RDFTS		0x02428u
#define E1000E_RDFPC		0x02430u
#define E1000E_TDFH		0x03410u
#define E1000E_TDFT		0x03418u
#define E1000E_TDFHS		0x03420u
#define E1000E_TDFTS		0x03428u
#define E1000E_TDFPC		0x03430u
#define E1000E_PBM		0x10000u	/* packet buffer memory */
#define E1000E_PBM_WORDS	10240u		/* 40 KiB */

/* Wake-up and manageability (§10.2.7, §10.2.8). */
#define E1000E_MAVTV0		0x05010u	/* 4 x 32 bits */
#define E1000E_WUC		0x05800u
#define E1000E_WUFC		0x05808u
#define E1000E_WUS		0x05810u
#define E1000E_MANC		0x05820u
#define E1000E_MFVAL		0x05824u
#define E1000E_MFUTP01		0x05828u
#define E1000E_MFUTP23		0x05830u
#define E1000E_IPAV		0x05838u
#define E1000E_IP4AT		0x05840u	/* 7 x 32 bits */
#define E1000E_MANC2H		0x05860u
#define E1000E_IP6AT		0x05880u	/* 4 x 32 bits */
#define E1000E_MDEF		0x05890u	/* 8 x 32 bits */
#define E1000E_WUPM		0x05A00u	/* 32 x 32 bits */
#define E1000E_FACTPS		0x05B30u
#define E1000E_FFLT		0x05F00u	/* 11 x 11 bits */
#define E1000E_FFMT		0x09000u	/* 255 x 4 bits */
#define E1000E_FTFT		0x09400u	/* 255 x 32 bits */
#define E1000E_FFVT		0x09800u	/* 255 x 32 bits */
#define E1000E_MANC_DIS_IP_CHK_ARP (1u << 28)
#define E1000E_FACTPS_LAN0_ON	(1u << 2)
#define E1000E_FACTPS_RESET	(E1000E_FACTPS_LAN0_ON | 0x20000000u)

/* PCIe statistics control and counters (§10.2.9). */
#define E1000E_GSCL_1		0x05B10u	/* GSCL_1..4, then GSCN_0..3 */
#define E1000E_GSCN_0		0x05B20u

/* Time synchronisation (IEEE 1588, §10.2.10). */
#define E1000E_TSYNCTXCTL	0x0B600u	/* 0xB600-0xB638, 15 registers */
#define E1000E_RXCFGL		0x0B634u
#define E1000E_RXUDP		0x0B638u
#define E1000E_TSYNC_REGS	15u

/* Interrupts (§10.2.4). */
#define E1000E_ICR		0x000C0u
#define E1000E_ITR		0x000C4u
#define E1000E_ICS		0x000C8u
#define E1000E_IMS		0x000D0u
#define E1000E_IMC		0x000D8u
#define E1000E_EIAC		0x000DCu
#define E1000E_IAM		0x000E0u
#define E1000E_IVAR		0x000E4u
#define E1000E_EITR(n)		(0x000E8u + 4u * (n))	/* n < 5, §10.2.4.11 */
#define E1000E_MSIX_VECTORS	5u
#define E1000E_PBACLR		0x05B68u	/* MSI-X PBA clear, §10.2.4.12 */

/* Receive (§10.2.5): RCTL §10.2.5.1, the queue 0 ring §10.2.5.5-§10.2.5.9,
 * RXDCTL §10.2.5.11, MTA §10.2.5.21, RAL/RAH §10.2.5.22-§10.2.5.23. */
#define E1000E_RCTL		0x00100u
#define E1000E_PSRCTL		0x02170u
#define E1000E_RDBAL0		0x02800u
#define E1000E_RDBAH0		0x02804u
#define E1000E_RDLEN0		0x02808u
#define E1000E_RDH0		0x02810u
#define E1000E_RDT0		0x02818u
#define E1000E_RDTR		0x02820u
#define E1000E_RXDCTL0		0x02828u
#define E1000E_RADV		0x0282Cu
#define E1000E_RDBAL1		0x02900u
#define E1000E_RDBAH1		0x02904u
#define E1000E_RDLEN1		0x02908u
#define E1000E_RDH1		0x02910u
#define E1000E_RDT1		0x02918u
#define E1000E_RXDCTL1		0x02928u
#define E1000E_RSRPD		0x02C00u
#define E1000E_RAID		0x02C08u
#define E1000E_RXCSUM		0x05000u
#define E1000E_RFCTL		0x05008u
#define E1000E_MTA		0x05200u	/* 128 x 32 bits */
#define E1000E_MTA_WORDS	128u
#define E1000E_RAL(n)		(0x05400u + 8u * (n))
#define E1000E_RAH(n)		(0x05404u + 8u * (n))
#define E1000E_RA_ENTRIES	16u
#define E1000E_VFTA		0x05600u	/* 128 x 32 bits */
#define E1000E_VFTA_WORDS	128u
#define E1000E_MRQC		0x05818u
#define E1000E_RETA		0x05C00u	/* 32 x 32 bits */
#define E1000E_RSSRK		0x05C80u	/* 10 x 32 bits */
#define E1000E_RSSRK_WORDS	10u
#define E1000E_RETA_WORDS	32u

/* Short names for queue 0, as drivers spell them. */
#define E1000E_RDBAL		E1000E_RDBAL0
#define E1000E_RDBAH		E1000E_RDBAH0
#define E1000E_RDLEN		E1000E_RDLEN0
#define E1000E_RDH		E1000E_RDH0
#define E1000E_RDT		E1000E_RDT0
#define E1000E_RXDCTL		E1000E_RXDCTL0

/* Transmit (§10.2.6): TCTL §10.2.6.1, TIPG §10.2.6.2, the queue 0 ring
 * §10.2.6.4-§10.2.6.8, TXDCTL §10.2.6.10. */
#define E1000E_TCTL		0x00400u
#define E1000E_TIPG		0x00410u
#define E1000E_AIT		0x00458u
#define E1000E_TDBAL		0x03800u
#define E1000E_TDBAH		0x03804u
#define E1000E_TDLEN		0x03808u
#define E1000E_TDH		0x03810u
#define E1000E_TDT		0x03818u
#define E1000E_TIDV		0x03820u
#define E1000E_TXDCTL		0x03828u
#define E1000E_TADV		0x0382Cu
#define E1000E_TARC0		0x03840u
#define E1000E_TDBAL1		0x03900u
#define E1000E_TDBAH1		0x03904u
#define E1000E_TDLEN1		0x03908u
#define E1000E_TDH1		0x03910u
#define E1000E_TDT1		0x03918u
#define E1000E_TXDCTL1		0x03928u
#define E1000E_TARC1		0x03940u

/* Queue n's registers are queue 0's plus n * 0x100. */
#define E1000E_QUEUE_STRIDE	0x100u
#define E1000E_NQUEUES		2u

/* Statistics: 0x04000-0x04100, cleared by reading (the statistics
 * registers of §10.2). */
#define E1000E_CRCERRS		0x04000u
#define E1000E_ALGNERRC		0x04004u
#define E1000E_SYMERRS		0x04008u
#define E1000E_RXERRC		0x0400Cu
#define E1000E_MPC		0x04010u
#define E1000E_SCC		0x04014u
#define E1000E_ECOL		0x04018u
#define E1000E_MCC		0x0401Cu
#define E1000E_LATECOL		0x04020u
#define E1000E_COLC		0x04028u
#define E1000E_DC		0x04030u
#define E1000E_TNCRS		0x04034u
#define E1000E_SEC		0x04038u
#define E1000E_CEXTERR		0x0403Cu
#define E1000E_RLEC		0x04040u
#define E1000E_XONRXC		0x04048u
#define E1000E_XONTXC		0x0404Cu
#define E1000E_XOFFRXC		0x04050u
#define E1000E_XOFFTXC		0x04054u
#define E1000E_FCRUC		0x04058u
#define E1000E_PRC64		0x0405Cu
#define E1000E_PRC127		0x04060u
#define E1000E_PRC255		0x04064u
#define E1000E_PRC511		0x04068u
#define E1000E_PRC1023		0x0406Cu
#define E1000E_PRC1522		0x04070u
#define E1000E_GPRC		0x04074u
#define E1000E_BPRC		0x04078u
#define E1000E_MPRC		0x0407Cu
#define E1000E_GPTC		0x04080u
#define E1000E_GORCL		0x04088u
#define E1000E_GORCH		0x0408Cu
#define E1000E_GOTCL		0x04090u
#define E1000E_GOTCH		0x04094u
#define E1000E_RNBC		0x040A0u
#define E1000E_RUC		0x040A4u
#define E1000E_RFC		0x040A8u
#define E1000E_ROC		0x040ACu
#define E1000E_RJC		0x040B0u
#define E1000E_MGTPRC		0x040B4u
#define E1000E_MGTPDC		0x040B8u
#define E1000E_MGTPTC		0x040BCu
#define E1000E_TORL		0x040C0u
#define E1000E_TORH		0x040C4u
#define E1000E_TOTL		0x040C8u
#define E1000E_TOTH		0x040CCu
#define E1000E_TPR		0x040D0u
#define E1000E_TPT		0x040D4u
#define E1000E_PTC64		0x040D8u
#define E1000E_PTC127		0x040DCu
#define E1000E_PTC255		0x040E0u
#define E1000E_PTC511		0x040E4u
#define E1000E_PTC1023		0x040E8u
#define E1000E_PTC1522		0x040ECu
#define E1000E_MPTC		0x040F0u
#define E1000E_BPTC		0x040F4u
#define E1000E_TSCTC		0x040F8u
#define E1000E_TSCTFC		0x040FCu
#define E1000E_IAC		0x04100u

/* CTRL (§10.2.2.1). */
#define E1000E_CTRL_FD		(1u << 0)
#define E1000E_CTRL_GIO_MASTER_DISABLE (1u << 2)
#define E1000E_CTRL_ASDE	(1u << 5)
#define E1000E_CTRL_SLU		(1u << 6)
#define E1000E_CTRL_SPEED_MASK	(3u << 8)
#define E1000E_CTRL_SPEED_1000	(2u << 8)
#define E1000E_CTRL_FRCSPD	(1u << 11)
#define E1000E_CTRL_FRCDPX	(1u << 12)
#define E1000E_CTRL_SDP0_DATA	(1u << 18)	/* software-defined pin 0 */
#define E1000E_CTRL_ADVD3WUC	(1u << 20)
#define E1000E_CTRL_RST		(1u << 26)
#define E1000E_CTRL_RFCE	(1u << 27)
#define E1000E_CTRL_TFCE	(1u << 28)
#define E1000E_CTRL_VME		(1u << 30)
#define E1000E_CTRL_PHY_RST	(1u << 31)

/* STATUS (§10.2.2.2; read-only but for PHYRA, which software clears by
 * writing 0). */
#define E1000E_STATUS_FD	(1u << 0)
#define E1000E_STATUS_LU	(1u << 1)
#define E1000E_STATUS_TXOFF	(1u << 4)
#define E1000E_STATUS_SPEED_MASK (3u << 6)
#define E1000E_STATUS_SPEED_1000 (2u << 6)
#define E1000E_STATUS_ASDV_MASK	(3u << 8)
#define E1000E_STATUS_ASDV_1000	(2u << 8)
#define E1000E_STATUS_PHYRA	(1u << 10)
#define E1000E_STATUS_GIO_MASTER_ENABLE (1u << 19)

/* VET: the 802.1Q tag type. */
#define E1000E_VET_8021Q	0x8100u

/* GCR: PCIe control. Rx L0s adjustment (9) is writable; the L1 entry
 * latency bits (23, 26:25) are read-only ones. */
#define E1000E_GCR_L0S_ADJUST	(1u << 9)
#define E1000E_GCR_RO_BITS	0x06800000u

/* EECD. */
#define E1000E_EECD_PRES	(1u << 8)
#define E1000E_EECD_AUTO_RD	(1u << 9)
#define E1000E_EECD_SIZE_EX_MASK (0xFu << 11)

/* EERD: START, DONE, word address 15:2, data 31:16. */
#define E1000E_EERD_START	(1u << 0)
#define E1000E_EERD_DONE	(1u << 1)
#define E1000E_EERD_ADDR_SHIFT	2
#define E1000E_EERD_ADDR_MASK	0x3FFFu
#define E1000E_EERD_DATA_SHIFT	16
#define E1000E_EEPROM_WORDS	64u	/* words 0-2: MAC, 0x3F: checksum */
#define E1000E_EEPROM_SUM	0xBABAu	/* sum of words 0x00-0x3F */

/* CTRL_EXT (§10.2.2.5). */
#define E1000E_CTRL_EXT_ASDCHK	(1u << 12)
#define E1000E_CTRL_EXT_EE_RST	(1u << 13)
#define E1000E_CTRL_EXT_SPD_BYPS (1u << 15)	/* speed select bypass */
#define E1000E_CTRL_EXT_EIAME	(1u << 24)	/* MSI-X auto-mask by IAM */
#define E1000E_CTRL_EXT_IAME	(1u << 27)
#define E1000E_CTRL_EXT_INT_TIMERS_CLEAR_ENA (1u << 29)
#define E1000E_CTRL_EXT_PBA_CLR	(1u << 31)	/* IMS writes clear PBA */

/* EEWR (§10.2.2.6): START, DONE, word address 15:2, data 31:16, as EERD. */
#define E1000E_EEWR_START	E1000E_EERD_START
#define E1000E_EEWR_DONE	E1000E_EERD_DONE

/* MDIC (§10.2.2.7): data 15:0, register 20:16, PHY 25:21, op 27:26, R 28, I 29, E 30. */
#define E1000E_MDIC_DATA_MASK	0xFFFFu
#define E1000E_MDIC_REG_SHIFT	16
#define E1000E_MDIC_REG_MASK	(0x1Fu << 16)
#define E1000E_MDIC_PHY_SHIFT	21
#define E1000E_MDIC_PHY_MASK	(0x1Fu << 21)
#define E1000E_MDIC_OP_WRITE	(1u << 26)
#define E1000E_MDIC_OP_READ	(2u << 26)
#define E1000E_MDIC_READY	(1u << 28)
#define E1000E_MDIC_INT_EN	(1u << 29)
#define E1000E_MDIC_ERROR	(1u << 30)
#define E1000E_PHY_ADDR		1u	/* the one PHY answers at address 1 */

/* Interrupt causes: ICR (§10.2.4.1), ICS (§10.2.4.4), IMS (§10.2.4.5) and
 * IMC (§10.2.4.6) share the layout. */
#define E1000E_ICR_TXDW		(1u << 0)
#define E1000E_ICR_TXQE		(1u << 1)
#define E1000E_ICR_LSC		(1u << 2)
#define E1000E_ICR_RXDMT0	(1u << 4)
#define E1000E_ICR_RXO		(1u << 6)
#define E1000E_ICR_RXT0		(1u << 7)
#define E1000E_ICR_MDAC		(1u << 9)
#define E1000E_ICR_TXD_LOW	(1u << 15)
#define E1000E_ICR_SRPD		(1u << 16)
#define E1000E_ICR_ACK		(1u << 17)
#define E1000E_ICR_MNG		(1u << 18)
#define E1000E_ICR_RXQ0		(1u << 20)
#define E1000E_ICR_RXQ1		(1u << 21)
#define E1000E_ICR_TXQ0		(1u << 22)
#define E1000E_ICR_TXQ1		(1u << 23)
#define E1000E_ICR_OTHER	(1u << 24)
#define E1000E_ICR_INT_ASSERTED	(1u << 31)
/* Causes IMS can enable (the others are ignored when written). */
#define E1000E_IMS_VALID	0x01F782D7u
/* With MSI-X, what raises OTHER (§10.2.4.1): the causes no queue owns. */
#define E1000E_ICR_OTHER_CAUSES	(E1000E_ICR_LSC | E1000E_ICR_RXO | \
    E1000E_ICR_MDAC | E1000E_ICR_SRPD | E1000E_ICR_ACK | E1000E_ICR_MNG)

/* IVAR (§10.2.4.10): a 4-bit entry (vector 2:0, valid 3) per cause:
 * RXQ0 3:0, RXQ1 7:4, TXQ0 11:8, TXQ1 15:12, OTHER 19:16; bit 31 asks
 * for a TX interrupt on every write-back. */
#define E1000E_IVAR_VALID	0x8u
#define E1000E_IVAR_VEC_MASK	0x7u
#define E1000E_IVAR_TX_INT_EVERY_WB (1u << 31)

/* Interrupt timing units: ITR/EITR count 256 ns, the delay timers
 * (RDTR, RADV, RAID, TIDV, TADV) 1.024 us (§10.2.4.2, §10.2.5.10). */
#define E1000E_ITR_UNIT_NS	256
#define E1000E_DELAY_UNIT_NS	1024
#define E1000E_DELAY_FPD	(1u << 31)	/* RDTR/TIDV: flush now */

/* RCTL (§10.2.5.1). */
#define E1000E_RCTL_EN		(1u << 1)
#define E1000E_RCTL_SBP		(1u << 2)
#define E1000E_RCTL_UPE		(1u << 3)
#define E1000E_RCTL_MPE		(1u << 4)
#define E1000E_RCTL_LPE		(1u << 5)
#define E1000E_RCTL_LBM_MASK	(3u << 6)
#define E1000E_RCTL_LBM_MAC	(1u << 6)	/* MAC loopback */
#define E1000E_RCTL_RDMTS_SHIFT	8
#define E1000E_RCTL_RDMTS_MASK	(3u << 8)
#define E1000E_RCTL_DTYP_MASK	(3u << 10)
#define E1000E_RCTL_MO_SHIFT	12
#define E1000E_RCTL_MO_MASK	(3u << 12)
#define E1000E_RCTL_BAM		(1u << 15)
#define E1000E_RCTL_BSIZE_SHIFT	16
#define E1000E_RCTL_BSIZE_MASK	(3u << 16)
#define E1000E_RCTL_VFE		(1u << 18)
#define E1000E_RCTL_CFIEN	(1u << 19)
#define E1000E_RCTL_CFI		(1u << 20)
#define E1000E_RCTL_BSEX	(1u << 25)
#define E1000E_RCTL_SECRC	(1u << 26)
#define E1000E_RCTL_DTYP_PS	(1u << 10)

/* RFCTL (§10.2.5.15). */
#define E1000E_RFCTL_ACK_DIS	(1u << 12)
#define E1000E_RFCTL_ACK_DATA_DIS (1u << 13)
#define E1000E_RFCTL_EXTEN	(1u << 15)	/* extended RX descriptors */
#define E1000E_RFCTL_IPV6_DIS	(1u << 10)
#define E1000E_RFCTL_IPV6_XSUM_DIS (1u << 11)
#define E1000E_RFCTL_IPFRSP_DIS	(1u << 14)	/* fragments not split */
#define E1000E_RFCTL_IPV6_EX_DIS (1u << 16)	/* RSS: extensions, no EX */
#define E1000E_RFCTL_NEW_IPV6_EXT_DIS (1u << 17) /* ... home address */

/* RXCSUM (§10.2.5.14): packet checksum start 7:0, IP and TCP/UDP
 * checksum offload, and PCSD (the RSS hash replaces the checksum). */
#define E1000E_RXCSUM_PCSS_MASK	0xFFu
#define E1000E_RXCSUM_IPOFLD	(1u << 8)
#define E1000E_RXCSUM_TUOFLD	(1u << 9)
#define E1000E_RXCSUM_PCSD	(1u << 13)

/* MRQC (§10.2.5.17): RSS on (1:0 = 01) and the hashed field sets. */
#define E1000E_MRQC_RSS		0x1u
#define E1000E_MRQC_EN_MASK	0x3u
#define E1000E_MRQC_TCPIPV4	(1u << 16)
#define E1000E_MRQC_IPV4	(1u << 17)
#define E1000E_MRQC_TCPIPV6	(1u << 18)
#define E1000E_MRQC_IPV6EX	(1u << 19)
#define E1000E_MRQC_IPV6	(1u << 20)

/* TCTL (§10.2.6.1). */
#define E1000E_TCTL_EN		(1u << 1)
#define E1000E_TCTL_PSP		(1u << 3)
#define E1000E_TCTL_CT_SHIFT	4
#define E1000E_TCTL_COLD_SHIFT	12

/* TARC: bit 10 enables the queue's arbitration (set at reset). */
#define E1000E_TARC_ENABLE	(1u << 10)

/* RAH (§10.2.5.23). */
#define E1000E_RAH_AV		(1u << 31)
#define E1000E_RAH_ASEL_MASK	(3u << 16)

/* Ring registers (§10.2.5.5-§10.2.5.9, §10.2.6.4-§10.2.6.8): base 16-byte
 * aligned, length in 128-byte units, head and tail 16 bits. */
#define E1000E_DBAL_MASK	0xFFFFFFF0u
#define E1000E_DLEN_MASK	0x000FFF80u
#define E1000E_DH_MASK		0x0000FFFFu

/* Frame sizes, without FCS. */
#define E1000E_FRAME_MIN	60u	/* what TCTL.PSP pads to */
#define E1000E_FRAME_MAX	16384u	/* largest frame the model moves */
#define E1000E_FRAME_VLAN_MAX	1522u	/* without RCTL.LPE */
#define E1000E_FCS_LEN		4u

#endif
