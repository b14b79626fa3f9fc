/*
 * bench_port.h — the four ways a benchmark process drives a NIC (the
 * arms of ARCHITECTURE.md), behind one frame interface:
 *
 *   kernel  sys_send/sys_recv, one system call per frame, the kernel
 *           copies between the caller's buffer and its own DMA buffers
 *   page    the user-level driver, BAR0 granted as whole 4 KiB pages
 *   capio   the user-level driver, byte-exact CAPIO slices
 *   raw     the user-level driver's rings and buffers, driven through
 *           host pointers with no check at all (bench_raw.c)
 *
 * The raw arm exists only inside the benchmark: it is the simulator's
 * own floor, what any figure would be if checking cost nothing. No other
 * part of capio can reach the machine that way.
 */
#ifndef CAPIO_EVAL_BENCH_PORT_H
#define CAPIO_EVAL_BENCH_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap/cap.h"
#include "user/e1000e_driver.h"

struct kernel;
struct mmio_ops;
struct phys;

enum bench_arm { BARM_KERNEL, BARM_PAGE, BARM_CAPIO, BARM_RAW, BENCH_NARMS };

/* "kernel", "page", "capio", "raw". */
const char *bench_arm_name(enum bench_arm a);

struct board_desc;
struct kernel_opts;
/* The two-NIC pair-wire machine for ARM, described. */
void bench_machine(enum bench_arm arm, bool host_syscalls,
    struct board_desc *bd, struct kernel_opts *o);
struct bench_opts;
/* Boot a two-NIC pair-wire machine for ARM (o->host_syscalls). NULL
 * after "capio: bench BENCH: cannot boot: ..." on stderr. */
struct kernel *bench_boot(enum bench_arm arm, const struct bench_opts *o,
    const char *bench);
/*
 * Run k's processes to the end. If one of pids[0..n) did not exit 0,
 * note "<arm> arm: <name> <status>" in err unless err already holds a
 * message. 0 when err is empty afterwards, else -1 with err on stderr
 * ("capio: bench BENCH: ...", the progress line erased first).
 */
int bench_run_to_end(struct kernel *k, enum bench_arm arm, const int *pids,
    int n, char *err, size_t errlen, const struct bench_opts *o,
    const char *bench);

/* --- the raw driver (bench_raw.c) ------------------------------------ */

struct bench_raw {
	struct udrv *u;			/* ring state, shared with udrv */
	uint8_t *txr, *rxr, *txb, *rxb;	/* host addresses of the regions */
	uint64_t txr_pa, rxr_pa, txb_pa, rxb_pa;
	struct phys *phys;		/* for the tags its stores clear */
	const struct mmio_ops *ops;	/* the device's BAR0, called directly */
	void *nic;
	uint64_t doorbells, copy_bytes;
};

/* The host address of the bytes of process PID's region capability C
 * (and its physical address in *pap), through the kernel's page tables;
 * NULL unless the region is mapped and physically contiguous. */
uint8_t *bench_raw_host(struct kernel *k, int pid, cap_t c, uint64_t *pap);
/*
 * Take over an open udrv of process PID: its regions as host pointers
 * (through the kernel's page tables), its doorbells as direct calls
 * into the device model. 0 or -errno.
 */
int bench_raw_open(struct bench_raw *r, struct udrv *u, struct kernel *k,
    int pid);
/* As udrv_tx_burst / udrv_rx_burst, with no check. */
int bench_raw_tx_burst(struct bench_raw *r, const struct udrv_frame *f,
    int n);
int bench_raw_rx_burst(struct bench_raw *r, struct udrv_frame *f, int n);

/* --- ports ------------------------------------------------------------ */

/*
 * A frame buffer: for the kernel arm a capability to the process's
 * simulated memory (what it passes to sys_send/sys_recv), for the others
 * the process's own host memory (what the driver copies from and to).
 */
struct bench_buf {
	cap_t cap;
	uint8_t *host;
	uint16_t len;		/* frame bytes (TX: to send; RX: received) */
	uint16_t size;		/* room */
};

struct bench_port {
	enum bench_arm arm;
	int dev;
	cap_t token;		/* kernel arm: its claim on the kernel path */
	struct udrv u;
	struct bench_raw raw;
};

/* In a process: open NIC DEV for ARM (K and PID are for the raw arm). */
int bench_port_open(struct bench_port *p, enum bench_arm arm, int dev,
    struct kernel *k, int pid);
/* Goodbye (every arm: the kernel arm holds a kernel-path claim). */
void bench_port_close(struct bench_port *p);
/* N buffers of SIZE bytes for ARM; 0 or -errno. */
int bench_bufs(enum bench_arm arm, struct bench_buf *b, int n,
    uint16_t size);
/* Free what bench_bufs allocated (the kernel arm's memory goes with the
 * process). */
void bench_bufs_free(struct bench_buf *b);
/* Put LEN bytes of data into b (setup, not timed). */
void bench_buf_put(struct bench_buf *b, const uint8_t *data, uint16_t len);
/* Read b's first len bytes into out (verification, not timed). */
void bench_buf_get(const struct bench_buf *b, uint8_t *out, uint16_t len);
/* Send b[0..n) (their len): how many went. Receive into b[0..n) (len
 * set): how many came. Never block. */
int bench_port_tx(struct bench_port *p, struct bench_buf *b, int n);
int bench_port_rx(struct bench_port *p, struct bench_buf *b, int n);

/* --- what it cost ------------------------------------------------------ */

struct bench_counts {
	uint64_t syscalls;
	uint64_t mmio;		/* device register transactions: the
				   processes', and the kernel's own */
	uint64_t checks;	/* checked accesses: loads, stores, copies */
	uint64_t copy_bytes;	/* bytes copied by checked copies (the
				   process's and the kernel's on its behalf)
				   or by the raw driver */
};

/*
 * The machine's counters for processes PIDS, the kernel's own MMIO, and
 * what the raw drivers of PORTS counted (ports may be NULL). Read by the
 * benchmark rig, a host call: not a system call of the simulated machine.
 */
void bench_counts_read(const struct kernel *k, const int *pids, int npids,
    const struct bench_port *const *ports, int nports,
    struct bench_counts *c);
/* after - before, counter by counter. */
void bench_counts_sub(struct bench_counts *d, const struct bench_counts *a,
    const struct bench_counts *b);

#endif
