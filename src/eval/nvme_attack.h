/*
 * nvme_attack.h — `capio attack --nvme`: attacks by one tenant of an
 * NVMe controller on another, each its own unprivileged process on a
 * fresh machine, under three arms, judged from the state the harness
 * reads afterwards (docs/nvme.md, "Where slicing stops").
 *
 * The machine: one controller, 8 I/O queue pairs, a namespace per queue.
 * The attacker holds unit 0 (queue 1, namespace 1) through the user-level
 * driver; the victim holds unit 1 (queue 2, namespace 2), keeps data in
 * its namespace and in its buffer pool, waits while the attacker acts,
 * then checks its data and runs one more verified write and read.
 */
#ifndef CAPIO_EVAL_NVME_ATTACK_H
#define CAPIO_EVAL_NVME_ATTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval/attack.h"	/* enum atk_stage, enum atk_outcome */
#include "user/nvme_driver.h"

/* The arms: how the doorbell page is granted, and whether the controller
 * isolates its queues (a model extension, off on real hardware). */
enum nvme_arm {
	NARM_PAGE,	/* 4 KiB pages of BAR0 around each slice */
	NARM_CAPIO,	/* byte-exact slices */
	NARM_ISOLATED,	/* slices + --nvme-queue-isolation */
	NARM_COUNT,
};

/* What the design says stops an attack (and so, under which arms it
 * must not succeed). */
enum nvme_stopper {
	NSTOP_SLICES,		/* capio and isolated */
	NSTOP_ISOLATION,	/* isolated only: one requester ID, NSID is
				   the command's (the hardware as it stands) */
	NSTOP_IOMMU,		/* every arm: the IOMMU */
};

#define NATK_PAGE	4096u
#define NATK_VICTIM_UNIT 1	/* queue 2, namespace 2 */
#define NATK_VPAGE	63u	/* the victim's data page in its pool */
#define NATK_APAGE	62u	/* the attacker's landing page in its pool */
#define NATK_LBA	64u	/* the attacker's blocks in its namespace */

/* What one attacker process knows and reports (host memory shared with
 * the harness). */
struct natk_ctx {
	const struct nvme_attack *attack;
	struct nvdrv d;			/* its own queue pair, unit 0 */
	/* Handed over by the harness: what a strong attacker knows. */
	uint64_t victim_buf_dma;	/* the victim's pool (NVME_INFO_BUF_DMA) */
	uint32_t victim_nsid;
	uint64_t secret_pa;		/* the kernel's secret */
	volatile bool go;
	/* Reported. */
	volatile enum atk_stage stage;
	int status;			/* its command's NVMe status, 0, or
					   -errno from the driver */
	char note[200];
	char setup_error[120];
};

struct nvme_attack {
	const char *id;			/* "n1a" */
	int cls;
	const char *name;		/* "sq-doorbell" */
	const char *what;
	void (*body)(struct natk_ctx *c);
	enum nvme_stopper stopper;
};

extern const struct nvme_attack nvme_attack_catalogue[];
extern const size_t nvme_attack_count;

/* The attacker's process: the prologue (open unit 0), then the body. */
void nvme_attack_process(void *arg);

/* What the victim keeps: in its namespace, blocks 0..7; in its pool,
 * page NATK_VPAGE. 16 bytes at the start of every 64 identify them. */
#define NATK_MARK_LEN	16
extern const char nvme_attack_ns_mark[NATK_MARK_LEN + 1];
extern const char nvme_attack_buf_mark[NATK_MARK_LEN + 1];
void nvme_attack_pattern(uint8_t *page, const char *mark);

struct natk_result {
	enum atk_outcome outcome;
	char cause[240];
	bool ctrl_ok, victim_ok, kmem_ok;	/* checked unchanged */
	bool leaked;				/* victim data or the secret
						   in the attacker's reach */
	char leak[80];				/* what, and where */
	char changed[400];
};

struct natk_opts {
	bool iommu;			/* IOMMU on under every arm */
};

void nvme_attack_run(const struct nvme_attack *a, enum nvme_arm arm,
    const struct natk_opts *o, struct natk_result *r);
/* Whether A must not succeed under ARM. */
bool nvme_attack_must_stop(const struct nvme_attack *a, enum nvme_arm arm);
const char *nvme_arm_name(enum nvme_arm arm);
const char *nvme_stopper_name(enum nvme_stopper s);

#endif
