/*
 * boot.h — the machine most unit tests boot, and a look at a process:
 * the default board, the kernel options given (or the defaults), and no
 * real host system call per system call (the tests count, they do not
 * time).
 */
#ifndef CAPIO_TESTS_BOOT_H
#define CAPIO_TESTS_BOOT_H

#include <stdio.h>
#include <string.h>

#include "board/board.h"
#include "kernel/kernel.h"

/* The board D describes (NULL: the default), the kernel with WITH (NULL:
 * the defaults). NULL with the reason on stderr. */
static inline struct kernel *
test_boot_board(const struct board_desc *d, const struct kernel_opts *with)
{
	struct kernel_opts o;
	char err[256];
	struct kernel *k;

	if (with != NULL)
		o = *with;
	else
		kernel_opts_default(&o);
	o.host_syscalls = false;
	if ((k = kernel_boot(board_new(d, err, sizeof err), &o, err,
	    sizeof err)) == NULL)
		fprintf(stderr, "boot: %s\n", err);
	return k;
}

/* NULL with the reason on stderr. */
static inline struct kernel *
test_boot(const struct kernel_opts *with)
{
	return test_boot_board(NULL, with);
}

/*
 * The default board (two NICs on a pair wire) and one NVMe controller
 * after them (device 2) of QUEUES queue pairs, namespace 1 NS_BYTES of
 * RAM.
 */
static inline struct kernel *
test_boot_nvme(const struct kernel_opts *with, unsigned queues,
    uint64_t ns_bytes)
{
	struct board_desc d;

	board_desc_default(&d);
	d.nvmes = 1;
	d.nvme[0].queues = queues;
	d.nvme[0].ns_bytes = ns_bytes;
	return test_boot_board(&d, with);
}

/* What the kernel says of pid; zeroes when it knows no such process. */
static inline struct proc_info
test_proc_info(struct kernel *k, int pid)
{
	struct proc_info pi;

	memset(&pi, 0, sizeof pi);
	kernel_proc_info(k, pid, &pi);
	return pi;
}

#endif
