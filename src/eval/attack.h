/*
 * attack.h — the security evaluation behind `capio attack`: a catalogue
 * of attacks on the CAPIO kernel and the e1000e it shares, and a harness
 * that runs each one as its own unprivileged process on a fresh machine
 * and checks, rather than assumes, what changed.
 *
 * An attack is a process body. A common prologue attaches to NIC 0 and
 * maps its regions (as a user-level driver does); the body then does one
 * malicious thing, using only what a user process has: the capabilities
 * it was granted, the CHERI operations on them, loads and stores, and
 * system calls. What a strong attacker is assumed to know (where the
 * kernel keeps a secret, another process's physical address) the harness
 * hands it in struct atk_ctx.
 */
#ifndef CAPIO_EVAL_ATTACK_H
#define CAPIO_EVAL_ATTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval/attack_tcp.h"
#include "kernel/kernel.h"
#include "user/e1000e_driver.h"
#include "user/libcapio.h"

/* Class 15's victim memcached: its -c and -m (its address, port and the
 * peer that attacks it: attack_tcp.h). */
#define ATK_MC_CONNS	8
#define ATK_MC_MEMORY	(4u << 20)

/* Where the attacker is; the harness reads it between rounds. */
enum atk_stage {
	ATK_SETUP,	/* attaching and mapping: a fault here is a harness bug */
	ATK_READY,	/* set up; yields so the harness can take its snapshot */
	ATK_ATTACKING,	/* the malicious step: a fault here is "trapped" */
	ATK_DONE,	/* the step completed */
};

/* What one attacker process knows and reports (host memory it shares
 * with the harness). */
struct atk_ctx {
	const struct attack *attack;
	/* The prologue's grants. */
	cap_t identity, token;
	struct capio_desc desc;		/* NIC 0's, as SYS_DESCRIBE gave it */
	struct capio_grant bar, txr, rxr, txb, rxb;
	uint64_t info[8];		/* E1000E_INFO_* */
	/* Handed over by the harness. */
	uint64_t secret_pa;		/* the kernel's secret */
	uint64_t victim_pa;		/* the bystander's buffer */
	int variant;			/* class 8: which kept capability */
	volatile bool go;		/* the harness took its snapshot */
	/* Reported by the attacker. */
	volatile enum atk_stage stage;
	int rc;				/* a refused system call: -errno */
	char note[200];			/* what it observed, on success */
	char setup_error[120];
	/* Class 8b: capabilities handed to an accomplice. */
	cap_t kept[9];
	volatile bool holder_mapped, new_owner_mapped;
	/* Classes 13 and 14: the victim holds what it needs (a kernel-path
	 * claim on NIC 0; its memory and NIC 1), and is done with it. */
	volatile bool victim_ready, victim_done;
	uint64_t cycles;		/* 14b: attach/map/goodbye cycles done */
	/* Class 15: the victim memcached's address, a peer of the
	 * attacker's own on NIC 1, and what it saw that the victim should
	 * not have done (empty: nothing). */
	uint8_t victim_mac[6];
	struct atk_tcp *tcp;
	char mc_wrong[160];
};

/* How an attack is staged, and how its success is judged. */
enum {
	ATK_MAP_NONE	= 1u << 0,	/* attach only; map nothing */
	ATK_TRAFFIC	= 1u << 1,	/* rings doorbells legitimately: heads and
					   tails may move */
	ATK_DMA		= 1u << 2,	/* succeeds only with evidence (a leak,
					   memory overwritten), not by finishing */
	ATK_PEER	= 1u << 3,	/* a peer on NIC 1 sends a frame to NIC 0
					   once the attacker is done */
	ATK_CABLE	= 1u << 4,	/* the link flaps while the attacker runs */
	ATK_TENANT	= 1u << 5,	/* tenant B's queue 1 is programmed */
	ATK_EXFIL	= 1u << 6,	/* the exfiltration demo: --pcap records it */
	ATK_AFTER_KILL	= 1u << 7,	/* class 8b's cast: holder, accomplice,
					   new owner */
	ATK_NO_ATTACH	= 1u << 8,	/* the prologue takes no device */
	ATK_KPATH	= 1u << 9,	/* a victim serves NIC 0 through the
					   kernel path; a peer holding NIC 1
					   sends it frames and records what
					   NIC 1 receives */
	ATK_STARVE	= 1u << 10,	/* succeeds only if a process asking
					   after it is denied memory or a
					   device */
	ATK_PT_FLOOD	= 1u << 11,	/* judged by the attacker's page-table
					   count, which must stay bounded */
	ATK_MEMCACHED	= 1u << 12,	/* a victim memcached serves NIC 0
					   (server_main); a client stored
					   "pre" before the attacker; a
					   client checks it afterwards */
};

/* 14b's attach/map/goodbye cycles, and how much its page tables may
 * exceed their count at the start (one cycle's worth) and stay bounded. */
#define ATK_PT_CYCLES	2000
#define ATK_PT_SLACK	8

#define ATK_KEPT_CAPS	9	/* 5 BAR0 slices and 4 DMA regions */

struct attack {
	const char *id;			/* "1a" */
	int cls;			/* its class in docs/attacks.md, 1..15 */
	const char *name;		/* "tdt-tdbal" */
	const char *what;		/* one line for people */
	void (*body)(struct atk_ctx *c);
	unsigned flags;
	int variants;			/* runs per arm (0: one) */
};

extern const struct attack attack_catalogue[];
extern const size_t attack_count;
/* Names of class 8's kept capabilities, by variant. */
extern const char *const attack_kept_names[ATK_KEPT_CAPS];

/* The prologue and epilogue every attacker runs around its body. */
void attack_process(void *arg);
/* The accomplice of class 8b, and the holder whose capabilities it keeps. */
void attack_holder(void *arg);
void attack_accomplice(void *arg);

/* The kernel's secret, planted by the harness; and what the RX attacks'
 * peer puts on the wire. */
#define ATK_SECRET_LEN	64
extern const uint8_t attack_secret[ATK_SECRET_LEN];
extern const uint8_t attack_payload[64];
/* What 13b's spoofed frame carries, for the wire to be searched. */
#define ATK_SPOOF_MARK	"SPOOFED-AS-NIC0"

enum atk_outcome { OUT_TRAPPED, OUT_REFUSED, OUT_SUCCEEDED, OUT_ERROR };

struct atk_result {
	enum atk_outcome outcome;
	char cause[240];		/* why trapped / refused, what succeeded */
	bool dev_ok, kmem_ok, procs_ok;	/* checked unchanged */
	char changed[400];		/* what the checks found changed */
	bool leaked;			/* kernel secret seen on the wire */
	uint8_t leak[ATK_SECRET_LEN];
	size_t leak_len;
	uint64_t frames_seen;		/* frames the wire tap took off NIC 1 */
};

struct atk_opts {
	bool iommu_page, iommu_capio;	/* IOMMU on under each arm */
	const char *pcap;		/* record ATK_EXFIL runs here, or NULL */
};

/* Run attack A under ARM (all its variants) on fresh machines. */
void attack_run(const struct attack *a, enum grant_arm arm,
    const struct atk_opts *o, struct atk_result *r);
const char *attack_outcome_name(enum atk_outcome o);
/* Append to the string in BUF (N bytes), truncating: what the harnesses
 * found changed, piece by piece. */
void atk_append(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
