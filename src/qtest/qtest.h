/*
 * qtest.h — QEMU's qtest protocol, server side: a line of text in (one
 * command), a line out ("OK", "OK 0x<hex>", "FAIL ...", "ERR ..."), plus
 * "IRQ raise N" / "IRQ lower N" lines whenever an intercepted interrupt
 * controller input changes. Replies follow QEMU 7.2 byte for byte (see
 * docs/qtest.md); where QEMU would abort on a malformed command this
 * server answers "FAIL <reason>" instead.
 *
 * Commands reach the machine through its physical address space (RAM
 * and MMIO, phys.h) and its I/O port space (the PCI bus, pci.h). Lengths
 * are bounded (QTEST_DATA_MAX, QTEST_MEMSET_MAX, QTEST_LINE_MAX): every
 * input is bounded work.
 */
#ifndef CAPIO_QTEST_QTEST_H
#define CAPIO_QTEST_QTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mclock;
struct phys;
struct pci_bus;
struct qtest;

#define QTEST_DATA_MAX	(1u << 20)	/* read/write/b64 bytes */
#define QTEST_MEMSET_MAX (1ull << 30)	/* memset bytes per command */
#define QTEST_LINE_MAX	(2 * QTEST_DATA_MAX + 256)
#define QTEST_IRQS	24		/* IOAPIC inputs */

/* Where replies go: LEN bytes, whole lines. */
typedef void (*qtest_out_fn)(void *arg, const char *buf, size_t len);

/* A server for the machine made of PHYS and the port space of BUS. */
struct qtest *qtest_new(struct phys *phys, struct pci_bus *bus,
    qtest_out_fn out, void *arg);
void qtest_free(struct qtest *q);

/* Bytes of input: every complete line is run before this returns. */
void qtest_input(struct qtest *q, const char *buf, size_t len);
/* One command line without its newline. */
void qtest_command(struct qtest *q, const char *line, size_t len);

/* An interrupt controller input (IOAPIC pin IRQ) changed level. */
void qtest_set_irq(struct qtest *q, unsigned irq, int level);

/* The virtual clock clock_step and clock_set move (ns). */
int64_t qtest_clock(const struct qtest *q);
/* Drive the machine's clock CLK (machine/clock.h; not owned) instead of
 * a private counter: clock_step and clock_set advance it, running its
 * timers, and a bare clock_step goes to its next deadline. */
void qtest_set_clock(struct qtest *q, struct mclock *clk);

struct qtest_counters {
	uint64_t commands;	/* lines run */
	uint64_t failed;	/* answered FAIL or ERR */
	uint64_t long_lines;	/* over QTEST_LINE_MAX: discarded */
};
void qtest_get_counters(const struct qtest *q, struct qtest_counters *c);

#endif
