/*
 * nvme_regs.h — NVM Express 1.4 constants: controller registers (§3.1),
 * submission and completion queue entries (§4.2, §4.6), status codes
 * (§4.6.1.2), admin and NVM opcodes (§5, §6), feature and log page
 * identifiers, and the Identify data offsets the model fills in.
 * Header-only, for the model and for drivers.
 */
#ifndef CAPIO_DEV_NVME_REGS_H
#define CAPIO_DEV_NVME_REGS_H

/* PCI identity (QEMU's NVMe controller); class: mass storage, NVM, NVMe. */
#define NVME_VENDOR_ID		0x1B36
#define NVME_DEVICE_ID		0x0010
#define NVME_CLASS_BASE		0x01
#define NVME_CLASS_SUB		0x08
#define NVME_CLASS_PROGIF	0x02

/* §3.1 controller registers, BAR0. */
#define NVME_CAP	0x00	/* 64-bit, RO */
#define NVME_VS		0x08
#define NVME_INTMS	0x0C
#define NVME_INTMC	0x10
#define NVME_CC		0x14
#define NVME_CSTS	0x1C
#define NVME_NSSR	0x20
#define NVME_AQA	0x24
#define NVME_ASQ	0x28	/* 64-bit */
#define NVME_ACQ	0x30	/* 64-bit */
#define NVME_DB_BASE	0x1000	/* §3.1.24: doorbells, stride 4 << DSTRD */
#define NVME_SQTDBL(y)	(NVME_DB_BASE + 8u * (y))
#define NVME_CQHDBL(y)	(NVME_DB_BASE + 8u * (y) + 4u)

/* §3.1.1 CAP. */
#define NVME_CAP_MQES_MASK	0xFFFFull	/* 0's based */
#define NVME_CAP_CQR		(1ull << 16)
#define NVME_CAP_AMS_SHIFT	17
#define NVME_CAP_TO_SHIFT	24		/* 500 ms units */
#define NVME_CAP_DSTRD_SHIFT	32
#define NVME_CAP_NSSRS		(1ull << 36)
#define NVME_CAP_CSS_NVM	(1ull << 37)
#define NVME_CAP_MPSMIN_SHIFT	48
#define NVME_CAP_MPSMAX_SHIFT	52

/* §3.1.2 VS: MJR 31:16, MNR 15:8, TER 7:0. */
#define NVME_VS_1_4	0x00010400u

/* §3.1.5 CC. */
#define NVME_CC_EN		(1u << 0)
#define NVME_CC_CSS(v)		(((v) >> 4) & 7u)
#define NVME_CC_MPS(v)		(((v) >> 7) & 0xFu)
#define NVME_CC_AMS(v)		(((v) >> 11) & 7u)
#define NVME_CC_SHN(v)		(((v) >> 14) & 3u)
#define NVME_CC_IOSQES(v)	(((v) >> 16) & 0xFu)
#define NVME_CC_IOCQES(v)	(((v) >> 20) & 0xFu)
#define NVME_CC_WMASK		0x00FFFFF1u	/* reserved bits read 0 */

/* §3.1.6 CSTS. */
#define NVME_CSTS_RDY		(1u << 0)
#define NVME_CSTS_CFS		(1u << 1)
#define NVME_CSTS_SHST_MASK	(3u << 2)
#define NVME_CSTS_SHST_DONE	(2u << 2)

/* §3.1.8 AQA: ASQS 11:0, ACQS 27:16, both 0's based. */
#define NVME_AQA_ASQS(v)	((v) & 0xFFFu)
#define NVME_AQA_ACQS(v)	(((v) >> 16) & 0xFFFu)

/* §4.2 submission queue entry: 64 bytes. */
#define NVME_SQE_SIZE		64u
#define NVME_SQES_LOG2		6u
#define NVME_SQE_OPC		0	/* byte */
#define NVME_SQE_FLAGS		1	/* FUSE 1:0, PSDT 7:6 */
#define NVME_SQE_CID		2	/* 16 bits */
#define NVME_SQE_NSID		4
#define NVME_SQE_MPTR		16
#define NVME_SQE_PRP1		24
#define NVME_SQE_PRP2		32
#define NVME_SQE_CDW10		40
#define NVME_SQE_CDW(n)		(4u * (n))

/* §4.6 completion queue entry: 16 bytes. */
#define NVME_CQE_SIZE		16u
#define NVME_CQES_LOG2		4u
#define NVME_CQE_DW0		0
#define NVME_CQE_SQHD		8	/* 16 bits */
#define NVME_CQE_SQID		10
#define NVME_CQE_CID		12
#define NVME_CQE_STATUS		14	/* bit 0 phase tag, 15:1 status */

/* Status field (15:1 of the CQE's last half-word, here as bits 14:0). */
#define NVME_SCT_GENERIC	0u
#define NVME_SCT_CMD		1u
#define NVME_SCT_MEDIA		2u
#define NVME_STATUS(sct, sc)	((uint16_t)((sct) << 8 | (sc)))
#define NVME_STATUS_DNR		(1u << 14)	/* do not retry */
#define NVME_STATUS_SCT(s)	(((s) >> 8) & 7u)
#define NVME_STATUS_SC(s)	((s) & 0xFFu)

/* §4.6.1.2.1 generic command status. */
#define NVME_SC_SUCCESS			NVME_STATUS(0, 0x00)
#define NVME_SC_INVALID_OPCODE		NVME_STATUS(0, 0x01)
#define NVME_SC_INVALID_FIELD		NVME_STATUS(0, 0x02)
#define NVME_SC_DATA_XFER_ERROR		NVME_STATUS(0, 0x04)
#define NVME_SC_INTERNAL		NVME_STATUS(0, 0x06)
#define NVME_SC_ABORT_SQ_DELETED	NVME_STATUS(0, 0x08)
#define NVME_SC_INVALID_NS		NVME_STATUS(0, 0x0B)
#define NVME_SC_CMD_SEQ_ERROR		NVME_STATUS(0, 0x0C)
#define NVME_SC_PRP_OFFSET_INVALID	NVME_STATUS(0, 0x13)
#define NVME_SC_LBA_RANGE		NVME_STATUS(0, 0x80)
#define NVME_SC_NS_NOT_READY		NVME_STATUS(0, 0x82)
/* §4.6.1.2.2 command specific status. */
#define NVME_SC_CQ_INVALID		NVME_STATUS(1, 0x00)
#define NVME_SC_INVALID_QID		NVME_STATUS(1, 0x01)
#define NVME_SC_INVALID_QSIZE		NVME_STATUS(1, 0x02)
#define NVME_SC_AER_LIMIT		NVME_STATUS(1, 0x05)
#define NVME_SC_INVALID_IV		NVME_STATUS(1, 0x08)
#define NVME_SC_INVALID_LOG_PAGE	NVME_STATUS(1, 0x09)
#define NVME_SC_INVALID_QUEUE_DELETION	NVME_STATUS(1, 0x0C)
#define NVME_SC_FEAT_NOT_SAVEABLE	NVME_STATUS(1, 0x0D)
/* §4.6.1.2.3 media and data integrity errors. */
#define NVME_SC_WRITE_FAULT		NVME_STATUS(2, 0x80)
#define NVME_SC_UNRECOVERED_READ	NVME_STATUS(2, 0x81)

/* §5 admin opcodes. */
#define NVME_ADM_DELETE_SQ	0x00
#define NVME_ADM_CREATE_SQ	0x01
#define NVME_ADM_GET_LOG_PAGE	0x02
#define NVME_ADM_DELETE_CQ	0x04
#define NVME_ADM_CREATE_CQ	0x05
#define NVME_ADM_IDENTIFY	0x06
#define NVME_ADM_ABORT		0x08
#define NVME_ADM_SET_FEATURES	0x09
#define NVME_ADM_GET_FEATURES	0x0A
#define NVME_ADM_ASYNC_EVENT	0x0C
/*
 * Not NVMe 1.4: the model's queue isolation extension (docs/nvme.md,
 * "Queue isolation"), in the vendor-specific admin opcode range (C0h-FFh,
 * §5): bind I/O queue pair CDW10 15:0 to namespace CDW11 (0: unbind). No
 * data transfer (opcode bits 1:0 = 00b).
 */
#define NVME_ADM_CAPIO_BIND_QUEUE	0xC0

/* §6 NVM opcodes. */
#define NVME_CMD_FLUSH		0x00
#define NVME_CMD_WRITE		0x01
#define NVME_CMD_READ		0x02
#define NVME_CMD_WRITE_ZEROES	0x08
#define NVME_CMD_DSM		0x09

/* §5.15 Identify CNS values. */
#define NVME_CNS_NS		0x00
#define NVME_CNS_CTRL		0x01
#define NVME_CNS_NS_ACTIVE_LIST	0x02
#define NVME_CNS_NS_DESC_LIST	0x03
#define NVME_IDENTIFY_SIZE	4096u

/* §5.15.2.2 Identify Controller byte offsets. */
#define NVME_IDC_VID		0
#define NVME_IDC_SSVID		2
#define NVME_IDC_SN		4	/* 20 bytes ASCII */
#define NVME_IDC_MN		24	/* 40 bytes */
#define NVME_IDC_FR		64	/* 8 bytes */
#define NVME_IDC_RAB		72
#define NVME_IDC_MDTS		77
#define NVME_IDC_CNTLID		78
#define NVME_IDC_VER		80
#define NVME_IDC_CNTRLTYPE	111	/* 1: I/O controller */
#define NVME_IDC_OACS		256
#define NVME_IDC_ACL		258
#define NVME_IDC_AERL		259
#define NVME_IDC_FRMW		260
#define NVME_IDC_LPA		261
#define NVME_IDC_ELPE		262
#define NVME_IDC_WCTEMP		266	/* kelvin */
#define NVME_IDC_CCTEMP		268
#define NVME_IDC_SQES		512
#define NVME_IDC_CQES		513
#define NVME_IDC_MAXCMD		514
#define NVME_IDC_NN		516
#define NVME_IDC_ONCS		520
#define NVME_IDC_VWC		525
#define NVME_IDC_SGLS		536
#define NVME_IDC_SUBNQN		768
#define NVME_ONCS_DSM		(1u << 2)
#define NVME_ONCS_WRITE_ZEROES	(1u << 3)

/* §5.15.2.1 / §6 Identify Namespace byte offsets. */
#define NVME_IDNS_NSZE		0
#define NVME_IDNS_NCAP		8
#define NVME_IDNS_NUSE		16
#define NVME_IDNS_NSFEAT	24
#define NVME_IDNS_NLBAF		25
#define NVME_IDNS_FLBAS		26
#define NVME_IDNS_DLFEAT	33
#define NVME_IDNS_NGUID		104
#define NVME_IDNS_LBAF0		128	/* MS 15:0, LBADS 23:16, RP 25:24 */

/* §5.21.1 feature identifiers. */
#define NVME_FEAT_ARBITRATION	0x01
#define NVME_FEAT_POWER_MGMT	0x02
#define NVME_FEAT_TEMP_THRESH	0x04
#define NVME_FEAT_ERROR_RECOVERY 0x05
#define NVME_FEAT_VWC		0x06
#define NVME_FEAT_NUM_QUEUES	0x07
#define NVME_FEAT_IRQ_COALESCE	0x08
#define NVME_FEAT_IRQ_CONFIG	0x09
#define NVME_FEAT_WRITE_ATOMIC	0x0A
#define NVME_FEAT_ASYNC_EVENT	0x0B

/* §5.14.1 log page identifiers. */
#define NVME_LOG_ERROR		0x01	/* 64-byte entries */
#define NVME_LOG_SMART		0x02	/* 512 bytes */
#define NVME_LOG_FW_SLOT	0x03	/* 512 bytes */
#define NVME_LOG_ERROR_ENTRY	64u
#define NVME_LOG_PAGE_SIZE	512u

/* §6.7 Dataset Management: CDW11.AD, 16-byte ranges. */
#define NVME_DSM_AD		(1u << 2)
#define NVME_DSM_RANGE_SIZE	16u
/* §6.16 Write Zeroes CDW12.DEAC. */
#define NVME_WZ_DEAC		(1u << 25)

#endif
