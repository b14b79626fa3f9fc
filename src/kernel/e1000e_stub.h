/*
 * e1000e_stub.h — the kernel's e1000e driver stub: bring-up, interrupt
 * handling for control events, the CAPIO driver operations (regions for
 * an owner, IOMMU windows, quiesce), and the kernel-mediated send/recv
 * path that CAPIO is measured against.
 */
#ifndef CAPIO_KERNEL_E1000E_STUB_H
#define CAPIO_KERNEL_E1000E_STUB_H

#include <stddef.h>
#include <stdint.h>

#include "abi/e1000e.h"	/* SYS_INFO's words, E1000E_INFO_* */

struct board_dev;
struct kernel;
struct e1000e_stub;

/* Bring up device INDEX of the board, as BD describes it, for the kernel
 * (rings, MAC filter, link). */
struct e1000e_stub *e1000e_stub_new(struct kernel *k, int index,
    const struct board_dev *bd, char *err, size_t errlen);
void e1000e_stub_free(struct e1000e_stub *s);

extern const struct capio_driver e1000e_stub_driver;

/* Physical address of the kernel's own region R (manifest index) of the
 * kernel-mediated path; 0 for BAR0 or an index out of range. */
uint64_t e1000e_stub_kernel_pa(const struct e1000e_stub *s, unsigned r);

#endif
