/*
 * fault.h — the precise record of a refused memory access: why, where,
 * how big, which operation and through which capability. A faulting
 * access has no effect; the record is all that is left of it.
 */
#ifndef CAPIO_MACHINE_FAULT_H
#define CAPIO_MACHINE_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap/cap.h"

/* In the order the checks run. */
enum fault_cause {
	FAULT_NONE = 0,
	FAULT_TAG,		/* capability not tagged */
	FAULT_SEAL,		/* capability sealed */
	FAULT_PERM_LOAD,	/* no Load permission */
	FAULT_PERM_STORE,	/* no Store permission */
	FAULT_PERM_STORE_CAP,	/* tagged capability store without
				   StoreCap */
	FAULT_PERM_STORE_LOCAL_CAP, /* local (non-Global) capability store
				   without StoreLocalCap */
	FAULT_BOUNDS,		/* some byte outside the bounds */
	FAULT_ALIGNMENT,	/* capability access not 16-aligned; MMIO
				   access not naturally aligned or sized */
	FAULT_PAGE_UNMAPPED,	/* MMU: no mapping */
	FAULT_PAGE_PERM,	/* MMU: page not readable / writable */
	FAULT_CAP_TO_DEVICE,	/* capability load/store to device memory */
	FAULT_BUS,		/* mapping onto no region */
	/* Not access checks: how else the machine stops a context. */
	FAULT_HOST_SIGNAL,	/* a host signal (SIGSEGV, SIGABRT, ...)
				   raised by the context's own code */
	FAULT_SLICE,		/* held the CPU past its slice (watchdog) */
	FAULT_NCAUSES
};

enum fault_op {
	FAULT_OP_LOAD,		/* data load */
	FAULT_OP_STORE,		/* data store */
	FAULT_OP_LOAD_CAP,
	FAULT_OP_STORE_CAP,
	FAULT_OP_COPYIN,	/* copy out of simulated memory */
	FAULT_OP_COPYOUT,	/* copy into simulated memory */
};

struct fault {
	enum fault_cause cause;
	enum fault_op op;
	bool store;		/* op writes memory */
	uint64_t vaddr;		/* first byte of the access */
	uint64_t size;		/* bytes the access covers */
	cap_t cap;		/* the authorising capability */
	/* Where vaddr maps, when it does (filled for every cause). */
	bool mapped;
	uint64_t paddr;
	const char *region;	/* region name, or NULL */
	uint64_t offset;	/* offset of paddr in the region */
	const char *reg;	/* MMIO register name, or NULL */
	/* FAULT_HOST_SIGNAL: the signal, its si_code and si_addr; whether
	 * si_addr lies in the context's stack guard (an overflow). */
	int signo;
	int si_code;
	uint64_t host_addr;
	bool stack_overflow;
	/* FAULT_SLICE: how long it had run, at least. */
	uint64_t ran_ns;
};

/* Short cause name for people: "tag", "seal", "permission", "bounds",
 * "alignment", "page", "device", "bus", "host signal", "watchdog"
 * ("none" for FAULT_NONE). */
const char *fault_cause_name(enum fault_cause c);
/* Distinct identifier per cause: "perm_store", "page_unmapped", ... */
const char *fault_cause_id(enum fault_cause c);
const char *fault_op_name(enum fault_op op);

/*
 * "bounds, e1000e0 BAR0+0x3800 (TDBAL)" for device targets,
 * "bounds, va 0x10001004" otherwise; for a host signal "host fault at
 * 0x... in process code (...)" or "host signal in process code (...)",
 * for the watchdog "ran 2.0 s without giving up the CPU". snprintf-like:
 * returns the length the full text needs, and always terminates buf
 * when n > 0.
 */
int fault_format(const struct fault *f, char *buf, size_t n);
/* The whole record on one line: operation, size, address, cause,
 * target and capability. */
int fault_describe(const struct fault *f, char *buf, size_t n);
/* A capability as "[base, top) Load,Store ..." with tag and seal state. */
int fault_format_cap(cap_t c, char *buf, size_t n);

/* "SIGSEGV" for SIGSEGV (any signal number); "SIG?" if unknown. */
const char *fault_signal_name(int signo);

/* A fault in kernel code: print the record to stderr and abort. */
void machine_panic(const struct fault *f) __attribute__((noreturn));

#endif
