/*
 * cpu.h — loads and stores as instructions: the checked access path
 * (access.h) with the fault delivered instead of returned.
 *
 * ld32(c, off) and friends are for code running in a context
 * (context.h): they use the context's address space, and a fault ends
 * the context and reports the record to its owner. Outside any context
 * they panic the machine. They are also the watchdog's safe points.
 *
 * kld32(as, c, off) and friends are kernel mode: a fault in kernel code
 * is a machine panic with the record, never silently ignored.
 *
 * svc(frame) (trap.h) enters the kernel; wfe() is a hint. With the
 * loads and stores, that is the instruction set unprivileged code has.
 */
#ifndef CAPIO_MACHINE_CPU_H
#define CAPIO_MACHINE_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "machine/access.h"
#include "machine/context.h"
#include "machine/trap.h"

/* Panic: a trapping accessor used outside any context. */
void cpu_no_context(void) __attribute__((noreturn));
/* No context (a panic), or the watchdog's flag is up: a safe point. */
struct aspace *cpu_aspace_slow(void);

/*
 * Every trapping access starts here, and so it is where a context that
 * outran its slice is stopped (context.h): holding no host lock, between
 * two instructions of the simulated machine. The watchdog's share of the
 * fast path is one load and one branch that is never taken.
 */
ACCESS_INLINE struct aspace *
cpu_aspace(void)
{
	struct aspace *as = ctx_cur_aspace;

	if (__builtin_expect(as == NULL || atomic_load_explicit(
	    &ctx_watch_flag, memory_order_relaxed) != 0, 0))
		return cpu_aspace_slow();
	return as;
}

#define CPU_LD(name, type, size)					\
ACCESS_INLINE type							\
name(cap_t c, int64_t off)						\
{									\
	struct fault f;							\
	uint64_t v;							\
	if (access_load(cpu_aspace(), c, off, size, &v, &f) != 0)	\
		ctx_trap(&f);						\
	return (type)v;							\
}									\
ACCESS_INLINE type							\
k##name(struct aspace *as, cap_t c, int64_t off)			\
{									\
	struct fault f;							\
	uint64_t v;							\
	if (access_load(as, c, off, size, &v, &f) != 0)			\
		machine_panic(&f);					\
	return (type)v;							\
}

#define CPU_ST(name, type, size)					\
ACCESS_INLINE void							\
name(cap_t c, int64_t off, type v)					\
{									\
	struct fault f;							\
	if (access_store(cpu_aspace(), c, off, size, v, &f) != 0)	\
		ctx_trap(&f);						\
}									\
ACCESS_INLINE void							\
k##name(struct aspace *as, cap_t c, int64_t off, type v)		\
{									\
	struct fault f;							\
	if (access_store(as, c, off, size, v, &f) != 0)			\
		machine_panic(&f);					\
}

CPU_LD(ld8, uint8_t, 1)
CPU_LD(ld16, uint16_t, 2)
CPU_LD(ld32, uint32_t, 4)
CPU_LD(ld64, uint64_t, 8)
CPU_ST(st8, uint8_t, 1)
CPU_ST(st16, uint16_t, 2)
CPU_ST(st32, uint32_t, 4)
CPU_ST(st64, uint64_t, 8)

#undef CPU_LD
#undef CPU_ST

/* Capability load/store, and byte copies out of (ldbytes) and into
 * (stbytes) simulated memory. */
cap_t ldcap(cap_t c, int64_t off);
void stcap(cap_t c, int64_t off, cap_t v);
void ldbytes(cap_t c, int64_t off, void *buf, size_t len);
void stbytes(cap_t c, int64_t off, const void *buf, size_t len);

/*
 * Wait for event (Arm WFE): an unprivileged hint that the program is
 * polling and has nothing to do. The simulated core hands the host
 * thread to the next context; it is not a system call.
 */
static inline void
wfe(void)
{
	ctx_yield();
}

#endif
