/*
 * libcapio.h — what an unprivileged process calls to use a device
 * through CAPIO: attach with an identity capability, map regions, find
 * slices by name, read the stub's info, say goodbye. And the plain system
 * calls a process needs (memory, exit, yield, the kernel-mediated path).
 *
 * Errors are negative errno values; capio_strerror names them.
 */
#ifndef CAPIO_USER_LIBCAPIO_H
#define CAPIO_USER_LIBCAPIO_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"
#include "kernel/manifest.h"
#include "kernel/syscall.h"

/* What one map request granted. */
struct capio_grant {
	const struct region *region;	/* from the device's manifest */
	uint64_t va;			/* where it is mapped */
	cap_t caps[SYS_MAXCAPS];	/* DMA: [0]; registers: one per slice */
	unsigned ncaps;
};

/* Take device DEV for a user-level driver (capio_map its regions). */
int capio_attach(int dev, cap_t identity, cap_t *token);
/* Take device DEV for the kernel-mediated path: the token sys_send and
 * sys_recv require; nothing to map. Either way one holder at a time
 * (EBUSY), until goodbye or the holder's end. */
int capio_attach_kernel_path(int dev, cap_t identity, cap_t *token);
/* Map REGION (by name) of a device whose manifest is M, asking for
 * Load+Store (or Load only when read_only). */
int capio_map(int dev, cap_t token, const struct manifest *m,
    const char *region, bool read_only, struct capio_grant *g);
/* The slice capability called NAME, or an untagged null capability. */
cap_t capio_slice(const struct capio_grant *g, const char *name);
/* The stub's info words (device-specific meaning, e.g. E1000E_INFO_*). */
int capio_info(int dev, cap_t token, uint64_t info[8]);
int capio_goodbye(int dev, cap_t token);
const char *capio_strerror(int err);

/* Plain system calls. */
int sys_mmap(uint64_t len, cap_t *out);
void sys_exit(int status) __attribute__((noreturn));
void sys_yield(void);
int sys_getpid(void);
/* The kernel-mediated path, with the token of capio_attach_kernel_path
 * (anything else: EPERM). */
int64_t sys_send(int dev, cap_t token, cap_t frame, uint64_t len);
/* Copies at most max bytes; *framelen (may be NULL) gets the frame's
 * length. -EAGAIN when nothing has arrived. */
int64_t sys_recv(int dev, cap_t token, cap_t buf, uint64_t max,
    uint64_t *framelen);

#endif
