/*
 * e1000e_driver.h — the user-level e1000e driver: the data plane of an
 * 82574L, run by an unprivileged process through the capabilities CAPIO
 * granted it (TDT/RDT doorbells, TDH/RDH/STATUS read-only, the rings and
 * the packet buffers). After udrv_open it makes no system call.
 */
#ifndef CAPIO_USER_E1000E_DRIVER_H
#define CAPIO_USER_E1000E_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"

struct udrv_frame {
	void *data;		/* host memory of the caller */
	uint16_t len;		/* TX: bytes to send; RX: bytes received */
	uint16_t size;		/* RX: room in data */
	/* TX: csum_at nonzero asks the NIC to insert the ones' complement
	 * sum of bytes csum_start..end at csum_at (legacy CMD.IC). */
	uint8_t csum_start, csum_at;
	/* RX: the NIC checked the frame's TCP/UDP checksum and found it
	 * good (STA.TCPCS or UDPCS without ERR.TCPE). */
	bool l4_csum_good;
};

struct udrv_stats {
	uint64_t tx_frames, tx_bytes, tx_full;
	uint64_t rx_frames, rx_bytes, rx_dropped;	/* dropped: fragments */
	uint64_t doorbells;
};

struct udrv {
	int dev;
	cap_t token;
	cap_t tdt, rdt, tdh, rdh, status;	/* BAR0 slices */
	cap_t txr, rxr, txb, rxb;		/* rings and buffer pools */
	uint64_t txb_dma, rxb_dma;		/* their device addresses */
	unsigned ntxd, nrxd, bufsize;
	unsigned tx_tail, tx_clean, rx_next;
	unsigned tx_rung;			/* TDT as last written */
	uint8_t mac[6];
	struct udrv_stats st;
};

/*
 * Read NIC dev's description, attach with a fresh identity, map its
 * regions, read the stub's info and post every RX buffer. 0 or -errno.
 */
int udrv_open(struct udrv *d, int dev);
/* Queue up to n frames (copied into TX buffers); one doorbell for all.
 * Returns how many were queued (fewer when the ring is full). */
int udrv_tx_burst(struct udrv *d, const struct udrv_frame *f, int n);
/* Queue up to n frames without ringing (a full ring is rung to make
 * room); udrv_tx_flush rings once for everything queued. A stack that
 * sends frame by frame as it works through what it received sends them
 * as one burst this way, as a driver does with Linux's xmit_more. */
int udrv_tx_queue(struct udrv *d, const struct udrv_frame *f, int n);
void udrv_tx_flush(struct udrv *d);
/* Take up to n received frames into the caller's buffers; the RX
 * buffers go back to the device with one doorbell. Returns how many. */
int udrv_rx_burst(struct udrv *d, struct udrv_frame *f, int n);
/* Link up, as STATUS (a read-only slice) says. */
bool udrv_link_up(const struct udrv *d);
/* Goodbye: every capability the driver holds stops working. */
int udrv_close(struct udrv *d);

#endif
