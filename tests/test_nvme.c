/*
 * test_nvme.c — the NVMe controller model: bring-up and reset, Identify,
 * I/O queue creation and deletion, Read/Write through PRP1, PRP1+PRP2 and
 * chained PRP lists, phase tag wrap, every error status the model
 * returns, DMA faults, the INTx line, hostile doorbells, and a file-backed
 * namespace that survives a new model.
 */
#include <stdio.h>
#include <unistd.h>

#include "test_nvme_world.h"

static void
fill(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 13 + (i >> 9));
}

static void
test_bringup(void)
{
	struct nworld w;
	struct nvme_counters c;
	uint64_t cap;

	nworld_init(&w);
	cap = nvme_mmio_ops.read(w.dev, NVME_CAP, 8);
	CHECK_EQ(cap & 0xFFFF, NVME_MQES);
	CHECK(cap & NVME_CAP_CQR);
	CHECK_EQ((cap >> 32) & 0xF, 0);			/* DSTRD */
	CHECK(cap & NVME_CAP_CSS_NVM);
	CHECK_EQ((cap >> 48) & 0xFF, 0);		/* MPSMIN/MAX */
	CHECK((cap >> 24) & 0xFF);			/* TO */
	CHECK_EQ(nrd(&w, NVME_VS), 0x00010400);
	CHECK_EQ(nrd(&w, NVME_CSTS), 0);
	CHECK(strcmp(nvme_reg_name(NVME_CC), "CC") == 0);
	CHECK(strcmp(nvme_reg_name(NVME_CQHDBL(3)), "CQ3HDBL") == 0);
	CHECK(strcmp(nvme_reg_name(NVME_SQTDBL(0)), "SQ0TDBL") == 0);
	CHECK(strcmp(nvme_reg_name(NVME_SQTDBL(64)), "SQ64TDBL") == 0);
	CHECK(strcmp(nvme_reg_name(NVME_CQHDBL(64)), "CQ64HDBL") == 0);
	CHECK(nvme_reg_name(NVME_SQTDBL(65)) == NULL);	/* no such queue */
	CHECK(nvme_reg_name(0x40) == NULL);

	/* Bad CC.MPS: controller fatal status, not ready. */
	nwr(&w, NVME_AQA, 0x000F000F);
	nwr(&w, NVME_ASQ, N_ASQ);
	nwr(&w, NVME_ACQ, N_ACQ);
	nwr(&w, NVME_CC, NVME_CC_EN | 1u << 7);
	CHECK_EQ(nrd(&w, NVME_CSTS), NVME_CSTS_CFS);
	nwr(&w, NVME_CC, 0);
	CHECK_EQ(nrd(&w, NVME_CSTS), 0);
	/* Admin queue of one entry: refused too. */
	nwr(&w, NVME_AQA, 0);
	nwr(&w, NVME_CC, NVME_CC_EN);
	CHECK_EQ(nrd(&w, NVME_CSTS), NVME_CSTS_CFS);
	nwr(&w, NVME_CC, 0);

	nworld_enable(&w);
	CHECK_EQ(nrd(&w, NVME_CSTS), NVME_CSTS_RDY);
	CHECK_EQ(nrd(&w, NVME_ASQ), N_ASQ);
	CHECK_EQ(nvme_mmio_ops.read(w.dev, NVME_ACQ, 8), N_ACQ);
	/* Shutdown notification completes at once. */
	nwr(&w, NVME_CC, nrd(&w, NVME_CC) | 1u << 14);
	CHECK_EQ(nrd(&w, NVME_CSTS) & NVME_CSTS_SHST_MASK,
	    NVME_CSTS_SHST_DONE);
	/* Disable: not ready, shutdown status cleared, AQA kept. */
	nwr(&w, NVME_CC, 0);
	CHECK_EQ(nrd(&w, NVME_CSTS), 0);
	CHECK_EQ(nrd(&w, NVME_AQA), (N_QSIZE - 1) << 16 | (N_QSIZE - 1));
	nvme_get_counters(w.dev, &c);
	CHECK_EQ(c.enable_failures, 2);
	CHECK_EQ(c.shutdowns, 1);
	CHECK(c.resets >= 3);
	CHECK(ncanary_intact(&w));
	nworld_free(&w);
}

static void
test_identify(void)
{
	struct nworld w;
	struct nvme_config cfg;
	uint8_t d[4096];

	nvme_default_config(&cfg);
	cfg.nnamespaces = 2;
	cfg.namespaces[1].size_bytes = 2u << 20;
	cfg.namespaces[1].block_size = 4096;
	nworld_init_cfg(&w, &cfg);
	nworld_enable(&w);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 0, N_DATA, 0, NVME_CNS_CTRL,
	    0, 0), 0);
	nram_read(&w, N_DATA, d, sizeof(d));
	CHECK_EQ(d[0] | d[1] << 8, NVME_VENDOR_ID);
	CHECK(memcmp(d + NVME_IDC_SN, "CAPIO0001           ", 20) == 0);
	CHECK(memcmp(d + NVME_IDC_MN, "capio NVMe", 10) == 0);
	CHECK_EQ(d[NVME_IDC_MDTS], NVME_MDTS_LOG2);
	CHECK_EQ(d[NVME_IDC_VER + 1], 4);		/* 1.4.0 */
	CHECK_EQ(d[NVME_IDC_VER + 2], 1);
	CHECK_EQ(d[NVME_IDC_SQES], 0x66);
	CHECK_EQ(d[NVME_IDC_CQES], 0x44);
	CHECK_EQ(d[NVME_IDC_NN], 2);
	CHECK_EQ(d[NVME_IDC_ONCS] & 0x0C, 0x0C);
	CHECK_EQ(d[NVME_IDC_VWC], 0x07);
	CHECK(memcmp(d + NVME_IDC_SUBNQN, "nqn.", 4) == 0);

	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 2, N_DATA, 0, NVME_CNS_NS,
	    0, 0), 0);
	nram_read(&w, N_DATA, d, sizeof(d));
	CHECK_EQ(d[NVME_IDNS_NSZE] | d[NVME_IDNS_NSZE + 1] << 8, 512);
	CHECK_EQ(d[NVME_IDNS_LBAF0 + 2], 12);
	CHECK_EQ(d[NVME_IDNS_DLFEAT] & 7, 1);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 1, N_DATA, 0, NVME_CNS_NS,
	    0, 0), 0);
	nram_read(&w, N_DATA, d, sizeof(d));
	CHECK_EQ(d[NVME_IDNS_NSZE] | d[NVME_IDNS_NSZE + 1] << 8, 2048);
	CHECK_EQ(d[NVME_IDNS_LBAF0 + 2], 9);

	/* Active namespace list: IDs above NSID, ascending, 0-terminated. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 0, N_DATA, 0,
	    NVME_CNS_NS_ACTIVE_LIST, 0, 0), 0);
	nram_read(&w, N_DATA, d, 12);
	CHECK_EQ(d[0], 1);
	CHECK_EQ(d[4], 2);
	CHECK_EQ(d[8], 0);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 1, N_DATA, 0,
	    NVME_CNS_NS_ACTIVE_LIST, 0, 0), 0);
	nram_read(&w, N_DATA, d, 8);
	CHECK_EQ(d[0], 2);
	CHECK_EQ(d[4], 0);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 1, N_DATA, 0,
	    NVME_CNS_NS_DESC_LIST, 0, 0), 0);
	nram_read(&w, N_DATA, d, 4);
	CHECK_EQ(d[0], 2);
	CHECK_EQ(d[1], 16);

	/* Errors. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 0, N_DATA, 0, NVME_CNS_NS,
	    0, 0), NVME_SC_INVALID_NS);
	CHECK(w.status & NVME_STATUS_DNR);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 3, N_DATA, 0, NVME_CNS_NS,
	    0, 0), NVME_SC_INVALID_NS);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 0xFFFFFFFF, N_DATA, 0,
	    NVME_CNS_NS, 0, 0), NVME_SC_INVALID_NS);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 0, N_DATA, 0, 0x10, 0, 0),
	    NVME_SC_INVALID_FIELD);
	CHECK_EQ(ncmd(&w, 0, 0x7F, 0, 0, 0, 0, 0, 0), NVME_SC_INVALID_OPCODE);
	/* Into the read-only window: Data Transfer Error, no DNR. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 0, N_RO, 0, NVME_CNS_CTRL,
	    0, 0), NVME_SC_DATA_XFER_ERROR);
	CHECK(!(w.status & NVME_STATUS_DNR));
	CHECK(w.faults > 0);
	CHECK(ncanary_intact(&w));
	nworld_free(&w);
}

static void
test_queues(void)
{
	struct nworld w;

	nworld_init(&w);
	nworld_enable(&w);
	/* Create CQ errors. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, N_IOCQ, 0, 7u << 16 | 0,
	    1, 0), NVME_SC_INVALID_QID);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, N_IOCQ, 0, 7u << 16 | 5,
	    1, 0), NVME_SC_INVALID_QID);	/* only 4 pairs */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, N_IOCQ, 0, 0u << 16 | 1,
	    1, 0), NVME_SC_INVALID_QSIZE);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, N_IOCQ, 0,
	    ((uint32_t)NVME_MQES + 1) << 16 | 1, 1, 0), NVME_SC_INVALID_QSIZE);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, N_IOCQ, 0, 7u << 16 | 1,
	    0, 0), NVME_SC_INVALID_FIELD);	/* PC = 0 */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, N_IOCQ + 8, 0,
	    7u << 16 | 1, 1, 0), NVME_SC_INVALID_FIELD);	/* unaligned */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, N_IOCQ, 0, 7u << 16 | 1,
	    1u | 2u | 3u << 16, 0), NVME_SC_INVALID_IV);
	/* Create SQ errors. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_SQ, 0, N_IOSQ, 0, 7u << 16 | 1,
	    1u << 16 | 1, 0), NVME_SC_CQ_INVALID);	/* CQ 1 missing */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_SQ, 0, N_IOSQ, 0, 7u << 16 | 1,
	    0u << 16 | 1, 0), NVME_SC_CQ_INVALID);	/* CQ 0 is admin */
	nworld_ioq(&w, 1, 8, false);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, N_IOCQ, 0, 7u << 16 | 1,
	    1, 0), NVME_SC_INVALID_QID);	/* in use */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_SQ, 0, N_IOSQ, 0, 7u << 16 | 1,
	    1u << 16 | 1, 0), NVME_SC_INVALID_QID);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_SQ, 0, N_IOSQ, 0, 7u << 16 | 2,
	    1u << 16 | 0, 0), NVME_SC_INVALID_FIELD);	/* PC = 0 */
	/* Delete: CQ with an SQ refused; then SQ, then CQ; twice refused. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_DELETE_CQ, 0, 0, 0, 1, 0, 0),
	    NVME_SC_INVALID_QUEUE_DELETION);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_DELETE_SQ, 0, 0, 0, 1, 0, 0), 0);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_DELETE_SQ, 0, 0, 0, 1, 0, 0),
	    NVME_SC_INVALID_QID);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_DELETE_SQ, 0, 0, 0, 0, 0, 0),
	    NVME_SC_INVALID_QID);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_DELETE_CQ, 0, 0, 0, 1, 0, 0), 0);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_DELETE_CQ, 0, 0, 0, 1, 0, 0),
	    NVME_SC_INVALID_QID);
	/* Number of Queues: granted at most the maximum, 0's based. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_SET_FEATURES, 0, 0, 0,
	    NVME_FEAT_NUM_QUEUES, 1u << 16 | 1u, 0), 0);
	CHECK_EQ(w.dw0, 1u << 16 | 1u);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, N_IOCQ, 0, 7u << 16 | 3,
	    1, 0), NVME_SC_INVALID_QID);	/* beyond the 2 granted */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_SET_FEATURES, 0, 0, 0,
	    NVME_FEAT_NUM_QUEUES, 100u << 16 | 100u, 0), 0);
	CHECK_EQ(w.dw0, 3u << 16 | 3u);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_FEATURES, 0, 0, 0,
	    NVME_FEAT_NUM_QUEUES, 0, 0), 0);
	CHECK_EQ(w.dw0, 3u << 16 | 3u);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_SET_FEATURES, 0, 0, 0,
	    NVME_FEAT_NUM_QUEUES, 0xFFFF, 0), NVME_SC_INVALID_FIELD);
	/* Create after delete works again, on every pair. */
	nworld_ioq(&w, 1, 8, false);
	nworld_ioq(&w, 3, 4, false);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_SET_FEATURES, 0, 0, 0,
	    NVME_FEAT_NUM_QUEUES, 0, 0), NVME_SC_CMD_SEQ_ERROR);
	CHECK(ncanary_intact(&w));
	nworld_free(&w);
}

static void
test_features_logs(void)
{
	struct nworld w;
	uint8_t d[1024];

	nworld_init(&w);
	nworld_enable(&w);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_FEATURES, 0, 0, 0, NVME_FEAT_VWC,
	    0, 0), 0);
	CHECK_EQ(w.dw0, 1);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_SET_FEATURES, 0, 0, 0, NVME_FEAT_VWC,
	    0, 0), 0);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_FEATURES, 0, 0, 0, NVME_FEAT_VWC,
	    0, 0), 0);
	CHECK_EQ(w.dw0, 0);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_FEATURES, 0, 0, 0,
	    1u << 8 | NVME_FEAT_VWC, 0, 0), 0);		/* default */
	CHECK_EQ(w.dw0, 1);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_FEATURES, 0, 0, 0,
	    3u << 8 | NVME_FEAT_VWC, 0, 0), 0);		/* capabilities */
	CHECK_EQ(w.dw0, 4);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_SET_FEATURES, 0, 0, 0,
	    1u << 31 | NVME_FEAT_VWC, 1, 0), NVME_SC_FEAT_NOT_SAVEABLE);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_SET_FEATURES, 0, 0, 0,
	    NVME_FEAT_POWER_MGMT, 1, 0), NVME_SC_INVALID_FIELD);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_SET_FEATURES, 0, 0, 0, 0x7E, 0, 0),
	    NVME_SC_INVALID_FIELD);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_FEATURES, 0, 0, 0, 0x03, 0, 0),
	    NVME_SC_INVALID_FIELD);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_SET_FEATURES, 0, 0, 0,
	    NVME_FEAT_IRQ_CONFIG, 1, 0), NVME_SC_INVALID_FIELD);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_SET_FEATURES, 0, 0, 0,
	    NVME_FEAT_TEMP_THRESH, 350, 0), 0);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_FEATURES, 0, 0, 0,
	    NVME_FEAT_TEMP_THRESH, 0, 0), 0);
	CHECK_EQ(w.dw0, 350);
	/* Abort: too late, never aborted. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_ABORT, 0, 0, 0, 1u << 16, 0, 0), 0);
	CHECK_EQ(w.dw0 & 1, 1);

	/* Error log: the newest error first (five errors above, the last
	 * one Set Features of an interrupt vector that does not exist). */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_LOG_PAGE, 0, N_DATA, 0,
	    255u << 16 | NVME_LOG_ERROR, 0, 0), 0);
	nram_read(&w, N_DATA, d, 1024);
	CHECK_EQ(d[0], 5);				/* error count */
	CHECK_EQ((d[12] | d[13] << 8) >> 1, NVME_SC_INVALID_FIELD |
	    NVME_STATUS_DNR);
	CHECK_EQ(d[64], 4);
	CHECK_EQ(d[5 * 64], 0);				/* empty */
	/* SMART / Health: 512 bytes, with an offset of 4 dwords. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_LOG_PAGE, 0, N_DATA, 0,
	    127u << 16 | NVME_LOG_SMART, 0, 0), 0);
	nram_read(&w, N_DATA, d, 512);
	CHECK_EQ(d[3], 100);
	CHECK_EQ(d[176], 5);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_LOG_PAGE, 0xFFFFFFFF, N_DATA, 0,
	    0u << 16 | NVME_LOG_FW_SLOT, 0, 0), 0);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_LOG_PAGE, 0, N_DATA, 0,
	    127u << 16 | 0x7F, 0, 0), NVME_SC_INVALID_LOG_PAGE);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_LOG_PAGE, 1, N_DATA, 0,
	    127u << 16 | NVME_LOG_SMART, 0, 0), NVME_SC_INVALID_FIELD);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_LOG_PAGE, 0, N_DATA, 0,
	    NVME_LOG_SMART, 0, 0), NVME_SC_SUCCESS);
	/* Offset not dword aligned, or past the log. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_LOG_PAGE, 0, N_DATA, 0,
	    NVME_LOG_SMART, 0, 2), NVME_SC_INVALID_FIELD);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_GET_LOG_PAGE, 0, N_DATA, 0,
	    NVME_LOG_SMART, 0, 512), NVME_SC_INVALID_FIELD);
	nworld_free(&w);
}

/* Write then read back through the given data pointers. */
static void
roundtrip(struct nworld *w, uint64_t slba, uint32_t nlb, uint64_t wp1,
    uint64_t wp2, uint64_t rp1, uint64_t rp2, const uint64_t *wpages,
    const uint64_t *rpages, uint8_t seed)
{
	size_t len = (size_t)nlb * 512, first, off, i;
	uint8_t *src = malloc(len), *dst = malloc(len);

	fill(src, len, seed);
	/* Scatter src over the write pages: first from wp1, then whole. */
	first = 4096 - (wp1 & 4095);
	if (first > len)
		first = len;
	nram_write(w, wp1, src, first);
	for (off = first, i = 0; off < len; off += 4096, i++)
		nram_write(w, wpages[i], src + off,
		    len - off < 4096 ? len - off : 4096);
	CHECK_EQ(nrw(w, NVME_CMD_WRITE, slba, nlb, wp1, wp2), 0);
	CHECK_EQ(nrw(w, NVME_CMD_READ, slba, nlb, rp1, rp2), 0);
	first = 4096 - (rp1 & 4095);
	if (first > len)
		first = len;
	nram_read(w, rp1, dst, first);
	for (off = first, i = 0; off < len; off += 4096, i++)
		nram_read(w, rpages[i], dst + off,
		    len - off < 4096 ? len - off : 4096);
	CHECK(memcmp(src, dst, len) == 0);
	free(src);
	free(dst);
}

static void
put_list(struct nworld *w, uint64_t at, const uint64_t *e, unsigned n)
{
	uint8_t b[8];
	unsigned i;

	for (i = 0; i < n; i++) {
		put64le(b, e[i]);
		nram_write(w, at + 8u * i, b, 8);
	}
}

static void
test_rw_prp(void)
{
	struct nworld w;
	struct nvme_counters c;
	uint64_t wp[40], rp[40];
	unsigned i;

	nworld_init(&w);
	nworld_enable(&w);
	nworld_ioq(&w, 1, N_QSIZE, false);
	/* PRP1 only: one block, and 8 blocks at an offset in the page. */
	roundtrip(&w, 0, 1, N_DATA, 0, N_DATA2, 0, NULL, NULL, 1);
	roundtrip(&w, 10, 7, N_DATA + 0x200, 0, N_DATA2 + 0x200, 0, NULL,
	    NULL, 2);
	/* PRP1 + PRP2: 8 KiB aligned, and 4 KiB starting mid-page. */
	wp[0] = N_DATA + 0x5000;
	rp[0] = N_DATA2 + 0x7000;
	roundtrip(&w, 100, 16, N_DATA, wp[0], N_DATA2, rp[0], wp, rp, 3);
	roundtrip(&w, 200, 8, N_DATA + 0x800, wp[0], N_DATA2 + 0xC00, rp[0],
	    wp, rp, 4);
	/* PRP list: 64 KiB over 16 scattered pages (list of 15). */
	for (i = 0; i < 15; i++) {
		wp[i] = N_DATA + 0x1000u * (15 - i);
		rp[i] = N_DATA2 + 0x1000u * (2 * i + 1);
	}
	put_list(&w, N_LIST, wp, 15);
	put_list(&w, N_LIST + 0x1000, rp, 15);
	roundtrip(&w, 300, 128, N_DATA + 0x10000, N_LIST, N_DATA2 + 0x20000,
	    N_LIST + 0x1000, wp, rp, 5);
	/* MDTS (128 KiB) with PRP1 at an offset: 32 more pages, the list
	 * starting 2 entries before its page end, chaining to the next. */
	for (i = 0; i < 32; i++) {
		wp[i] = N_DATA + 0x1000u * i;
		rp[i] = N_DATA2 + 0x1000u * i;
	}
	put_list(&w, N_LIST + 0x0FF0, wp, 1);
	{
		uint64_t chain = N_LIST + 0x2000;

		put_list(&w, N_LIST + 0x0FF8, &chain, 1);
		put_list(&w, N_LIST + 0x2000, wp + 1, 31);
		put_list(&w, N_LIST + 0x3FF0, rp, 1);
		chain = N_LIST + 0x4000;
		put_list(&w, N_LIST + 0x3FF8, &chain, 1);
		put_list(&w, N_LIST + 0x4000, rp + 1, 31);
	}
	roundtrip(&w, 1000, 256, N_DATA + 0x30000 + 0x200, N_LIST + 0x0FF0,
	    N_DATA2 + 0x30000 + 0x600, N_LIST + 0x3FF0, wp, rp, 6);
	nvme_get_counters(w.dev, &c);
	CHECK_EQ(c.bytes_written, (1 + 7 + 16 + 8 + 128 + 256) * 512);
	CHECK_EQ(c.bytes_read, c.bytes_written);
	CHECK_EQ(c.cmd_errors, 0);
	CHECK(ncanary_intact(&w));
	nworld_free(&w);
}

static void
test_phase_wrap(void)
{
	struct nworld w;
	unsigned i;
	uint8_t b[512];

	nworld_init(&w);
	nworld_enable(&w);
	nworld_ioq(&w, 1, 4, false);
	for (i = 0; i < 11; i++) {
		fill(b, sizeof(b), (uint8_t)i);
		nram_write(&w, N_DATA, b, sizeof(b));
		CHECK_EQ(nrw(&w, NVME_CMD_WRITE, i, 1, N_DATA, 0), 0);
		CHECK_EQ(w.sqhd, (i + 1) % 4);
	}
	/* 11 completions in a queue of 4: the host's phase flipped twice. */
	CHECK(w.q[1].phase == true);
	CHECK_EQ(w.q[1].cq_head, 3);
	for (i = 0; i < 11; i++) {
		uint8_t r[512];

		fill(b, sizeof(b), (uint8_t)i);
		CHECK_EQ(nrw(&w, NVME_CMD_READ, i, 1, N_DATA2, 0), 0);
		nram_read(&w, N_DATA2, r, sizeof(r));
		CHECK(memcmp(b, r, sizeof(r)) == 0);
	}
	/* Several commands per doorbell. */
	for (i = 0; i < 3; i++) {
		uint8_t sqe[64];
		uint32_t cdw[6] = { i, 0, 0, 0, 0, 0 };

		nsqe(sqe, NVME_CMD_READ, (uint16_t)(100 + i), 1, N_DATA2, 0,
		    cdw);
		nsubmit(&w, 1, sqe, i == 2);
	}
	for (i = 0; i < 3; i++) {
		CHECK(nreap(&w, 1));
		CHECK_EQ(w.cid, 100 + i);
		CHECK_EQ(w.status, 0);
	}
	CHECK(!nreap(&w, 1));
	nworld_free(&w);
}

static void
test_io_errors(void)
{
	struct nworld w;
	struct nvme_counters c;
	uint8_t b[4096], r[4096], z[4096];
	uint64_t e;

	nworld_init(&w);
	nworld_enable(&w);
	nworld_ioq(&w, 1, N_QSIZE, false);
	memset(z, 0, sizeof(z));
	fill(b, sizeof(b), 9);
	nram_write(&w, N_DATA, b, sizeof(b));
	CHECK_EQ(nrw(&w, NVME_CMD_WRITE, 0, 8, N_DATA, 0), 0);

	CHECK_EQ(ncmd(&w, 1, 0x7F, 1, 0, 0, 0, 0, 0), NVME_SC_INVALID_OPCODE);
	CHECK_EQ(ncmd(&w, 1, NVME_ADM_IDENTIFY, 1, 0, 0, 0, 0, 0),
	    NVME_SC_INVALID_OPCODE);		/* admin opcode on I/O SQ */
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_READ, 0, N_DATA, 0, 0, 0, 0),
	    NVME_SC_INVALID_NS);
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_READ, 2, N_DATA, 0, 0, 0, 0),
	    NVME_SC_INVALID_NS);
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_FLUSH, 2, 0, 0, 0, 0, 0),
	    NVME_SC_INVALID_NS);
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_FLUSH, 0xFFFFFFFF, 0, 0, 0, 0, 0), 0);
	/* 2048 blocks: the last one is fine, one past is not. */
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 2047, 1, N_DATA2, 0), 0);
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 2047, 2, N_DATA2, 0),
	    NVME_SC_LBA_RANGE);
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 1ull << 40, 1, N_DATA2, 0),
	    NVME_SC_LBA_RANGE);
	CHECK_EQ(nrw(&w, NVME_CMD_READ, UINT64_MAX, 2, N_DATA2, 0),
	    NVME_SC_LBA_RANGE);
	/* Over MDTS: 257 blocks of 512 bytes. */
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 257, N_DATA2, N_LIST),
	    NVME_SC_INVALID_FIELD);
	/* Fused or SGL flags. */
	{
		uint8_t sqe[64];
		uint32_t cdw[6] = { 0 };

		nsqe(sqe, NVME_CMD_READ, 77, 1, N_DATA2, 0, cdw);
		sqe[1] = 0x40;			/* PSDT 01b: SGL */
		nsubmit(&w, 1, sqe, true);
		CHECK(nreap(&w, 1));
		CHECK_EQ(w.status & 0x7FF, NVME_SC_INVALID_FIELD);
	}
	/* PRP offsets: PRP1 not dword aligned, PRP2 data page with an
	 * offset, a list pointer not qword aligned, a list entry with an
	 * offset. */
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 1, N_DATA2 + 2, 0),
	    NVME_SC_PRP_OFFSET_INVALID);
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 16, N_DATA2, N_DATA2 + 0x1100),
	    NVME_SC_PRP_OFFSET_INVALID);
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 24, N_DATA2, N_LIST + 4),
	    NVME_SC_PRP_OFFSET_INVALID);
	e = N_DATA2 + 0x1010;
	put_list(&w, N_LIST, &e, 1);
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 24, N_DATA2, N_LIST),
	    NVME_SC_PRP_OFFSET_INVALID);

	/* DMA faults: a Write from outside every window changes nothing;
	 * a Read into the read-only window, a PRP list outside. */
	fill(b, sizeof(b), 0x55);
	CHECK_EQ(nrw(&w, NVME_CMD_WRITE, 0, 8, N_CANARY, 0),
	    NVME_SC_DATA_XFER_ERROR);
	CHECK(!(w.status & NVME_STATUS_DNR));
	nram_write(&w, N_DATA, b, 4096);
	e = N_CANARY;
	put_list(&w, N_LIST, &e, 1);
	put_list(&w, N_LIST + 8, &e, 1);
	CHECK_EQ(nrw(&w, NVME_CMD_WRITE, 0, 24, N_DATA, N_LIST),
	    NVME_SC_DATA_XFER_ERROR);		/* last pages fault */
	CHECK_EQ(nrw(&w, NVME_CMD_WRITE, 0, 24, N_DATA, N_CANARY),
	    NVME_SC_DATA_XFER_ERROR);		/* the list faults */
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 8, N_DATA2, 0), 0);
	nram_read(&w, N_DATA2, r, sizeof(r));
	fill(b, sizeof(b), 9);
	CHECK(memcmp(r, b, sizeof(r)) == 0);	/* still the first write */
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 8, N_RO, 0),
	    NVME_SC_DATA_XFER_ERROR);

	/* Namespace not ready. */
	CHECK(nvme_ns_set_ready(w.dev, 1, false) == 0);
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 1, N_DATA2, 0),
	    NVME_SC_NS_NOT_READY);
	CHECK(!(w.status & NVME_STATUS_DNR));
	CHECK(nvme_ns_set_ready(w.dev, 1, true) == 0);
	CHECK(nvme_ns_set_ready(w.dev, 2, true) != 0);

	/* Write Zeroes and Dataset Management deallocate read as zeroes. */
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_WRITE_ZEROES, 1, 0, 0, 0, 0, 3), 0);
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 8, N_DATA2, 0), 0);
	nram_read(&w, N_DATA2, r, sizeof(r));
	CHECK(memcmp(r, z, 2048) == 0);
	CHECK(memcmp(r + 2048, b + 2048, 2048) == 0);
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_WRITE_ZEROES, 1, 0, 0, 2047, 0, 1),
	    NVME_SC_LBA_RANGE);
	{
		uint8_t rng[32];

		memset(rng, 0, sizeof(rng));
		put32le(rng + 4, 2);		/* 2 blocks at LBA 4 */
		put64le(rng + 8, 4);
		put32le(rng + 16 + 4, 1);	/* 1 block at LBA 2047 */
		put64le(rng + 16 + 8, 2047);
		nram_write(&w, N_LIST, rng, sizeof(rng));
		CHECK_EQ(ncmd(&w, 1, NVME_CMD_DSM, 1, N_LIST, 0, 1,
		    NVME_DSM_AD, 0), 0);
		CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 8, N_DATA2, 0), 0);
		nram_read(&w, N_DATA2, r, sizeof(r));
		CHECK(memcmp(r + 2048, z, 1024) == 0);
		CHECK(memcmp(r + 3072, b + 3072, 1024) == 0);
		/* One range out of range: none is deallocated. */
		put64le(rng + 16 + 8, 2048);
		put64le(rng + 8, 6);
		nram_write(&w, N_LIST, rng, sizeof(rng));
		CHECK_EQ(ncmd(&w, 1, NVME_CMD_DSM, 1, N_LIST, 0, 1,
		    NVME_DSM_AD, 0), NVME_SC_LBA_RANGE);
		CHECK_EQ(nrw(&w, NVME_CMD_READ, 6, 1, N_DATA2, 0), 0);
		nram_read(&w, N_DATA2, r, 512);
		CHECK(memcmp(r, b + 3072, 512) == 0);
	}
	nvme_get_counters(w.dev, &c);
	CHECK(c.dma_faults >= 4);
	CHECK(c.prp_errors == 4);
	CHECK(c.cmd_errors >= 20);
	CHECK(ncanary_intact(&w));
	nworld_free(&w);
}

static void
test_irq(void)
{
	struct nworld w;
	struct nvme_counters c;
	uint8_t sqe[64];

	nworld_init(&w);
	nworld_enable(&w);
	/* The admin CQ has interrupts enabled: an unconsumed entry is a
	 * raised line until the head doorbell consumes it. */
	nsqe(sqe, NVME_ADM_GET_FEATURES, 1, 0, 0, 0, (const uint32_t[6]){
	    NVME_FEAT_VWC, 0, 0, 0, 0, 0 });
	nsubmit(&w, 0, sqe, true);
	CHECK(nvme_irq_level(w.dev));
	CHECK(w.irq_level);
	nwr(&w, NVME_INTMS, 1);
	CHECK(!w.irq_level);
	nwr(&w, NVME_INTMC, 1);
	CHECK(w.irq_level);
	CHECK(nreap(&w, 0));
	CHECK(!w.irq_level);
	/* A CQ without IEN never raises it. */
	nworld_ioq(&w, 1, 4, false);
	CHECK_EQ(nrw(&w, NVME_CMD_READ, 0, 1, N_DATA2, 0), 0);
	nsqe(sqe, NVME_CMD_READ, 9, 1, N_DATA2, 0, NULL);
	nsubmit(&w, 1, sqe, true);
	CHECK(!w.irq_level);
	CHECK(nreap(&w, 1));
	nvme_get_counters(w.dev, &c);
	CHECK(c.irq_raised >= 4);
	nworld_free(&w);
}

static void
test_hostile(void)
{
	struct nworld w;
	struct nvme_counters c0, c;
	uint8_t sqe[64];
	unsigned i;

	nworld_init(&w);
	/* Doorbells before the controller is ready. */
	nwr(&w, NVME_SQTDBL(0), 1);
	nworld_enable(&w);
	nworld_ioq(&w, 1, 4, false);
	nvme_get_counters(w.dev, &c0);
	CHECK_EQ(c0.bad_doorbells, 1);
	nwr(&w, NVME_SQTDBL(1), 4);		/* tail = size */
	nwr(&w, NVME_SQTDBL(1), 0xFFFFFFFF);
	nwr(&w, NVME_SQTDBL(2), 1);		/* no such queue */
	nwr(&w, NVME_SQTDBL(200), 1);		/* beyond the maximum */
	nwr(&w, NVME_CQHDBL(1), 2);		/* head past the tail */
	nvme_mmio_ops.write(w.dev, NVME_SQTDBL(1), 1, 2);	/* size 2 */
	nvme_mmio_ops.write(w.dev, NVME_BAR0_SIZE - 2, 1, 4);	/* crosses */
	(void)nvme_mmio_ops.read(w.dev, 0x3, 4);
	nvme_get_counters(w.dev, &c);
	CHECK_EQ(c.bad_doorbells - c0.bad_doorbells, 5);
	CHECK_EQ(c.bad_mmio, 3);
	CHECK_EQ(c.io_cmds, 0);
	/* A full CQ pauses the SQ; consuming resumes it. A queue of 4
	 * holds 3 completions. */
	for (i = 0; i < 3; i++) {
		nsqe(sqe, NVME_CMD_FLUSH, (uint16_t)(10 + i), 1, 0, 0, NULL);
		nsubmit(&w, 1, sqe, true);
	}
	nsqe(sqe, NVME_CMD_FLUSH, 13, 1, 0, 0, NULL);
	/* Without touching the CQ head: the tail has room for 1 more. */
	nram_write(&w, sq_base(1) + 64u * w.q[1].sq_tail, sqe, 64);
	w.q[1].sq_tail = (w.q[1].sq_tail + 1) % 4;
	nwr(&w, NVME_SQTDBL(1), w.q[1].sq_tail);
	nvme_get_counters(w.dev, &c);
	CHECK_EQ(c.io_cmds, 3);
	CHECK(c.cq_full > 0);
	for (i = 0; i < 4; i++) {
		CHECK(nreap(&w, 1));
		CHECK_EQ(w.cid, 10 + i);
	}
	CHECK(!nreap(&w, 1));
	/* An SQ in memory the device cannot read: fatal status. */
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_CQ, 0, cq_base(2), 0,
	    3u << 16 | 2, 1, 0), 0);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_CREATE_SQ, 0, N_CANARY, 0,
	    3u << 16 | 2, 2u << 16 | 1, 0), 0);
	nwr(&w, NVME_SQTDBL(2), 1);
	CHECK_EQ(nrd(&w, NVME_CSTS), NVME_CSTS_RDY | NVME_CSTS_CFS);
	nwr(&w, NVME_SQTDBL(1), 1);		/* ignored while fatal */
	nvme_get_counters(w.dev, &c);
	CHECK_EQ(c.fatal, 1);
	/* Reset recovers. */
	nwr(&w, NVME_CC, 0);
	CHECK_EQ(nrd(&w, NVME_CSTS), 0);
	nworld_enable(&w);
	CHECK_EQ(nrd(&w, NVME_CSTS), NVME_CSTS_RDY);
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_IDENTIFY, 0, N_DATA, 0, NVME_CNS_CTRL,
	    0, 0), 0);
	/* Asynchronous Event Requests: 4 held, the 5th refused. */
	for (i = 0; i < 4; i++) {
		nsqe(sqe, NVME_ADM_ASYNC_EVENT, (uint16_t)(50 + i), 0, 0, 0,
		    NULL);
		nsubmit(&w, 0, sqe, true);
		CHECK(!nreap(&w, 0));
	}
	CHECK_EQ(ncmd(&w, 0, NVME_ADM_ASYNC_EVENT, 0, 0, 0, 0, 0, 0),
	    NVME_SC_AER_LIMIT);
	CHECK(ncanary_intact(&w));
	nworld_free(&w);
}

static void
test_file_backed(void)
{
	struct nworld w;
	struct nvme_config cfg;
	struct nvme_counters c;
	char path[] = "/tmp/test_nvme_XXXXXX";
	uint8_t b[8192], r[8192];
	char err[128];
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	nvme_default_config(&cfg);
	cfg.namespaces[0].block_size = 4096;
	cfg.namespaces[0].path = path;
	nworld_init_cfg(&w, &cfg);
	nworld_enable(&w);
	nworld_ioq(&w, 1, 8, true);
	fill(b, sizeof(b), 42);
	nram_write(&w, N_DATA, b, sizeof(b));
	CHECK_EQ(nrw(&w, NVME_CMD_WRITE, 0, 1, N_DATA, N_DATA + 0x1000), 0);
	/* nrw counts 512-byte blocks: NLB 1 here is one 4 KiB block. */
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_WRITE, 1, N_DATA, N_DATA + 0x1000, 7,
	    0, 1), 0);
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_FLUSH, 1, 0, 0, 0, 0, 0), 0);
	nvme_get_counters(w.dev, &c);
	CHECK_EQ(c.flushes, 1);
	CHECK_EQ(c.host_io_errors, 0);
	nworld_free(&w);

	/* A new model on the same file sees the blocks. */
	nworld_init_cfg(&w, &cfg);
	nworld_enable(&w);
	nworld_ioq(&w, 1, 8, true);
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_READ, 1, N_DATA2, N_DATA2 + 0x1000, 7,
	    0, 1), 0);
	nram_read(&w, N_DATA2, r, sizeof(r));
	CHECK(memcmp(b, r, sizeof(r)) == 0);
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_READ, 1, N_DATA2, 0, 0, 0, 0), 0);
	nram_read(&w, N_DATA2, r, 4096);
	CHECK(memcmp(b, r, 4096) == 0);
	/* Deallocate on a file: a hole, reading zeroes. */
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_WRITE_ZEROES, 1, 0, 0, 7, 0,
	    NVME_WZ_DEAC), 0);
	CHECK_EQ(ncmd(&w, 1, NVME_CMD_READ, 1, N_DATA2, 0, 7, 0, 0), 0);
	nram_read(&w, N_DATA2, r, 4096);
	memset(b, 0, 4096);
	CHECK(memcmp(b, r, 4096) == 0);
	nworld_free(&w);

	/* Bad configurations. */
	{
		struct phys *p = phys_new();
		struct iommu *io = iommu_new(p, "x");

		cfg.namespaces[0].block_size = 1024;
		CHECK(nvme_new("x", &cfg, io, err, sizeof(err)) == NULL);
		CHECK(strstr(err, "block size") != NULL);
		cfg.namespaces[0].block_size = 512;
		cfg.namespaces[0].path = "/nonexistent/dir/file";
		CHECK(nvme_new("x", &cfg, io, err, sizeof(err)) == NULL);
		CHECK(strstr(err, "/nonexistent") != NULL);
		cfg.nqueues = 0;
		CHECK(nvme_new("x", &cfg, io, err, sizeof(err)) == NULL);
		iommu_free(io);
		phys_free(p);
	}
	unlink(path);
}

int
main(void)
{
	test_bringup();
	test_identify();
	test_queues();
	test_features_logs();
	test_rw_prp();
	test_phase_wrap();
	test_io_errors();
	test_irq();
	test_hostile();
	test_file_backed();
	return check_done("test_nvme");
}
