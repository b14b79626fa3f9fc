/*
 * nvme.h — an NVM Express 1.4 controller model (NVM command set, PCIe
 * transport, PRPs only).
 *
 * The owner registers BAR0 on its bus:
 *	phys_add_mmio(phys, base, NVME_BAR0_SIZE, "nvme0 BAR0",
 *	    &nvme_mmio_ops, dev);
 * and watches the INTx line with nvme_set_irq_handler. The controller
 * reaches RAM only through the IOMMU context it was given. Everything is
 * synchronous: a submission queue tail doorbell write executes the new
 * commands and posts their completions before it returns.
 *
 * Constants and layouts: nvme_regs.h. What is and is not modelled:
 * docs/nvme.md.
 */
#ifndef CAPIO_DEV_NVME_H
#define CAPIO_DEV_NVME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/nvme_regs.h"
#include "machine/mmio.h"

struct iommu;
struct nvme;

#define NVME_BAR0_SIZE		0x2000u	/* registers + 512 doorbell pairs */
#define NVME_MAX_IOQ		64u	/* I/O queue pairs at most */
#define NVME_MAX_NS		16u
#define NVME_MQES		1023u	/* largest queue: 1024 entries */
#define NVME_PAGE		4096u	/* CAP.MPSMIN = MPSMAX = 0 */
#define NVME_MDTS_LOG2		5u	/* 32 pages: 128 KiB per command */
#define NVME_MAX_XFER		(NVME_PAGE << NVME_MDTS_LOG2)

struct nvme_ns_config {
	uint64_t	 size_bytes;	/* rounded down to whole blocks */
	uint32_t	 block_size;	/* 512 or 4096; 0 means 512 */
	const char	*path;		/* host file (created if absent), or
					 * NULL for RAM */
};

struct nvme_config {
	unsigned		nqueues;	/* I/O queue pairs, 1..NVME_MAX_IOQ */
	unsigned		nnamespaces;	/* 1..NVME_MAX_NS */
	struct nvme_ns_config	namespaces[NVME_MAX_NS];
	const char		*serial;	/* NULL: derived from the name */
	/*
	 * Queue isolation, a model extension beyond NVMe 1.4 (off unless
	 * set; docs/nvme.md, "Queue isolation"): the DMA of I/O queue y
	 * (its SQ fetches, CQ posts, PRP lists and data) goes through
	 * queue_dma[y], as a request tagged with a PASID per queue would,
	 * instead of DMA; and an I/O command may name only the namespace
	 * its queue is bound to (NVME_ADM_CAPIO_BIND_QUEUE). queue_dma has
	 * nqueues + 1 entries, [0] unused (the admin queue uses DMA); not
	 * owned.
	 */
	bool			queue_isolation;
	struct iommu *const	*queue_dma;
};

/* BAR0 callbacks; `dev` is the struct nvme. */
extern const struct mmio_ops nvme_mmio_ops;

/*
 * A controller in its reset state (CC.EN clear) with namespaces 1..n as
 * CFG says, doing DMA through DMA (not owned). NAME (copied) labels it.
 * NULL with a reason in ERR on a bad configuration, a backing file that
 * cannot be opened or sized, or no memory.
 */
struct nvme *nvme_new(const char *name, const struct nvme_config *cfg,
    struct iommu *dma, char *err, size_t errlen);
/* Closes the backing files (after fsync). NULL is accepted. Not from
 * inside one of the device's callbacks. */
void nvme_free(struct nvme *dev);
const char *nvme_name(const struct nvme *dev);

/* Controller reset: what CC.EN 1 -> 0 does. */
void nvme_reset(struct nvme *dev);

/* Run every submission queue with work (each at most its size); the
 * doorbells call this, an owner may too. */
void nvme_process(struct nvme *dev);

/* Mark namespace NSID (1-based) ready or not: I/O to a namespace that is
 * not ready completes with Namespace Not Ready. */
int nvme_ns_set_ready(struct nvme *dev, uint32_t nsid, bool ready);

/* The INTx line: some CQ with interrupts enabled holds entries the host
 * has not consumed and its vector is not masked (INTMS). FN is called on
 * every change of level. */
bool nvme_irq_level(const struct nvme *dev);
void nvme_set_irq_handler(struct nvme *dev,
    void (*fn)(void *owner, bool level), void *owner);

/*
 * Message-signalled interrupts (MSI-X, §7.5.2), for a PCI function that
 * has them enabled: with FN set, every completion posted to a CQ with
 * interrupts enabled calls FN with that CQ's vector, Create I/O CQ and
 * the Interrupt Vector Configuration feature take vectors below NVECTORS
 * (at most NVME_MAX_VECTORS), and the INTx line stays low. FN NULL: back
 * to pin-based interrupts, vector 0 only (§7.5.1).
 */
#define NVME_MAX_VECTORS	2048u
void nvme_set_msi_handler(struct nvme *dev,
    void (*fn)(void *owner, unsigned vector), void *owner,
    unsigned nvectors);

/* Register name at OFF ("CC"; doorbells of queues 0..NVME_MAX_IOQ by
 * queue, as §3.1.24-25 names them: "SQ1TDBL", "CQ1HDBL"), or NULL
 * (reserved, and doorbells of queues this model cannot have). */
const char *nvme_reg_name(uint64_t off);

/* What the model did, for its owner; never cleared by the device. */
struct nvme_counters {
	uint64_t admin_cmds;	/* admin commands executed */
	uint64_t io_cmds;	/* NVM commands executed */
	uint64_t cmd_errors;	/* completions with a non-zero status */
	uint64_t bytes_read;	/* namespace -> host */
	uint64_t bytes_written;	/* host -> namespace */
	uint64_t flushes;	/* Flush commands (fsync for files) */
	uint64_t dma_faults;	/* data, PRP list, SQ or CQ access faulted */
	uint64_t prp_errors;	/* PRP offsets refused */
	uint64_t bad_doorbells;	/* no such queue, value out of range,
				 * controller not ready */
	uint64_t bad_mmio;	/* odd size, misaligned, outside BAR0 */
	uint64_t enable_failures; /* CC.EN 0 -> 1 refused: CSTS.CFS */
	uint64_t fatal;		/* CFS set while running (SQ/CQ fault) */
	uint64_t cq_full;	/* SQ paused: its CQ had no free slot */
	uint64_t host_io_errors; /* backing file read/write/fsync failed */
	uint64_t irq_raised;	/* INTx 0 -> 1 */
	uint64_t resets;	/* controller resets */
	uint64_t shutdowns;	/* CC.SHN notifications completed */
	uint64_t ns_refused;	/* queue isolation: I/O commands naming a
				 * namespace their queue is not bound to */
};
void nvme_get_counters(const struct nvme *dev, struct nvme_counters *c);

/* Queue pair QID (0: admin) as the controller holds it now, for its
 * owner: whether SQ and CQ QID exist, their heads and tails. 0, or -1
 * for a QID beyond NVME_MAX_IOQ. */
struct nvme_queue_state {
	bool sq_live, cq_live;
	uint32_t sq_head, sq_tail, cq_head, cq_tail;
};
int nvme_queue_state(const struct nvme *dev, unsigned qid,
    struct nvme_queue_state *q);

/* For trusted harnesses: LEN bytes at byte OFF of namespace NSID as the
 * medium holds them, with no effect on the controller. 0, or -1 for a
 * bad NSID, a range past the namespace, or a host read that failed. */
int nvme_ns_peek(struct nvme *dev, uint32_t nsid, uint64_t off, void *buf,
    size_t len);
/* Queue isolation (nvme_config): on, and the namespace I/O queue QID is
 * bound to (0: none, or isolation off). */
bool nvme_queue_isolation(const struct nvme *dev);
uint32_t nvme_queue_nsid(const struct nvme *dev, unsigned qid);

#endif
