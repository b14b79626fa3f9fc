/*
 * nvme_core.h — the controller state the model's files share (internal
 * to src/dev/nvme*.c): registers, queues, namespaces, and the entry
 * points each file offers the others.
 */
#ifndef CAPIO_DEV_NVME_CORE_H
#define CAPIO_DEV_NVME_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/nvme.h"

#define NVME_NQ		(NVME_MAX_IOQ + 1)	/* queue 0 is the admin pair */
#define NVME_ERRLOG	16u			/* Error Information entries */
#define NVME_AERL	3u			/* AERL: 4 outstanding */
#define NVME_TEMP_WARN	0x157u			/* WCTEMP, 343 K */
#define NVME_TEMP_CRIT	0x175u			/* CCTEMP, 373 K */

struct nvme_sq {
	bool	 live;
	uint64_t base;		/* device address of entry 0 */
	uint32_t size;		/* entries */
	uint32_t head, tail;
	uint16_t cqid;
};

struct nvme_cq {
	bool	 live;
	bool	 ien;		/* interrupts enabled */
	bool	 phase;		/* phase tag of the next entry posted */
	uint64_t base;
	uint32_t size;
	uint32_t head, tail;
	uint16_t iv;
	unsigned nsq;		/* submission queues bound to it */
};

struct nvme_ns {
	uint64_t nblocks;
	uint32_t bs;		/* block size */
	uint8_t	 lbads;		/* log2(bs) */
	bool	 ready;
	int	 fd;		/* backing file, or -1 */
	uint8_t	*ram;		/* RAM backing, or NULL */
	char	*path;
};

struct nvme_err_entry {
	uint64_t count;
	uint16_t sqid, cid, status;
	uint32_t nsid;
};

struct nvme {
	char			*name;
	char			 serial[21];
	struct iommu		*dma;
	unsigned		 max_ioq;
	/* Queue isolation (nvme_isolation.c): each I/O queue's DMA context
	 * and bound namespace; xfer is the context of the command running
	 * now, which its PRP walk uses. */
	bool			 isolated;
	struct iommu		*qdma[NVME_NQ];
	uint32_t		 qnsid[NVME_NQ];
	struct iommu		*xfer;
	/* Registers. */
	uint32_t		 intms;
	uint32_t		 cc;
	uint32_t		 csts;
	uint32_t		 aqa;
	uint64_t		 asq, acq;
	/* Queues; index = queue identifier. */
	struct nvme_sq		 sq[NVME_NQ];
	struct nvme_cq		 cq[NVME_NQ];
	unsigned		 nsqa, ncqa;	/* Number of Queues granted */
	/* Features (§5.21.1) that are only stored. */
	uint32_t		 feat[0x0C];
	uint32_t		 temp_under;	/* THSEL 01b */
	unsigned		 aer_outstanding;
	/* Namespaces 1..nns at ns[0..nns-1]. */
	unsigned		 nns;
	struct nvme_ns		 ns[NVME_MAX_NS];
	/* Error Information log, newest last. */
	uint64_t		 err_count;
	struct nvme_err_entry	 errlog[NVME_ERRLOG];
	/* SMART / Health counters (§5.14.1.2). */
	uint64_t		 units_read, units_written;	/* bytes */
	uint64_t		 host_reads, host_writes;
	/* Interrupt line. */
	bool			 irq;
	void			(*irq_fn)(void *, bool);
	void			*irq_owner;
	/* Messages instead (MSI-X enabled): one per completion posted. */
	void			(*msi_fn)(void *, unsigned);
	void			*msi_owner;
	unsigned		 nvectors;	/* 1 while pin-based */
	/* Re-entrancy: doorbells rung from a callback wait for the loop. */
	bool			 busy;
	bool			 kick;
	uint64_t		 generation;	/* bumped by every reset */
	struct nvme_counters	 cnt;
	uint8_t			 buf[NVME_MAX_XFER];	/* bounce buffer */
};

/* A command as fetched, and the values its completion carries. */
struct nvme_cmd {
	uint8_t	 opc;
	uint8_t	 flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t prp1, prp2;
	uint32_t cdw[16];	/* cdw[10..15] */
	uint16_t sqid;
	uint32_t dw0;		/* result */
	bool	 no_completion;	/* Asynchronous Event Request */
};

static inline uint32_t
nvme_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
nvme_le64(const uint8_t *p)
{
	return (uint64_t)nvme_le32(p) | (uint64_t)nvme_le32(p + 4) << 32;
}

static inline void
nvme_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
nvme_put32(uint8_t *p, uint32_t v)
{
	nvme_put16(p, (uint16_t)v);
	nvme_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void
nvme_put64(uint8_t *p, uint64_t v)
{
	nvme_put32(p, (uint32_t)v);
	nvme_put32(p + 4, (uint32_t)(v >> 32));
}

/* nvme.c */
void nvme_update_irq(struct nvme *n);
void nvme_queues_reset(struct nvme *n);

/* nvme_mmio.c */
void nvme_regs_reset(struct nvme *n);

/* nvme_admin.c: status of an admin command. */
uint16_t nvme_admin_exec(struct nvme *n, struct nvme_cmd *c);

/* nvme_io.c: status of an NVM command. */
uint16_t nvme_io_exec(struct nvme *n, struct nvme_cmd *c);

/* nvme_prp.c: move LEN bytes between the bounce buffer and the host
 * pages PRP1/PRP2 describe (§4.3). 0 or a status; TO_HOST false reads
 * every page before returning success, so a fault leaves BUF unused. */
uint16_t nvme_prp_xfer(struct nvme *n, uint64_t prp1, uint64_t prp2,
    uint8_t *buf, size_t len, bool to_host);

/* nvme_isolation.c: the DMA context of queue QID (DMA unless isolated);
 * 0 if command C may address namespace NSID, else its status; the Bind
 * Queue admin command. */
struct iommu *nvme_queue_dma(const struct nvme *n, unsigned qid);
uint16_t nvme_ns_allowed(struct nvme *n, const struct nvme_cmd *c,
    uint32_t nsid);
uint16_t nvme_bind_queue(struct nvme *n, const struct nvme_cmd *c);

/* nvme_ns.c */
int nvme_ns_open(struct nvme_ns *ns, const struct nvme_ns_config *cfg,
    char *err, size_t errlen);
void nvme_ns_close(struct nvme_ns *ns);
/* 0, or -1 when the host I/O failed. */
int nvme_ns_read(struct nvme_ns *ns, uint64_t off, void *buf, size_t len);
int nvme_ns_write(struct nvme_ns *ns, uint64_t off, const void *buf,
    size_t len);
int nvme_ns_zero(struct nvme_ns *ns, uint64_t off, uint64_t len);
int nvme_ns_flush(struct nvme_ns *ns);

#endif
