/*
 * netdev.h — how a network stack in a process sends and receives frames:
 * through the user-level driver (CAPIO, zero system calls) or through
 * the kernel-mediated send/recv calls (the baseline).
 */
#ifndef CAPIO_USER_NETDEV_H
#define CAPIO_USER_NETDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"
#include "user/e1000e_driver.h"

struct netdev {
	uint8_t mac[6];
	/* 1 if the frame was queued, 0 if the device had no room. Its
	 * checksum request (csum_at) only where csum_offload says so. */
	int (*tx)(struct netdev *nd, const struct udrv_frame *f);
	/* The path passes checksum requests and results between the stack
	 * and the NIC (udrv_frame's csum_* and l4_csum_good). */
	bool csum_offload;
	/* Send what tx queued (NULL: tx sends at once). */
	void (*flush)(struct netdev *nd);
	/* Up to n received frames into f[] (data/size set by the caller). */
	int (*rx)(struct netdev *nd, struct udrv_frame *f, int n);
	/* Kernel path state. */
	int dev;
	cap_t token;		/* the claim send and recv present */
	cap_t txbuf, rxbuf;
	/* CAPIO path state. */
	struct udrv *drv;
};

/* The user-level driver (already open). */
void netdev_from_udrv(struct netdev *nd, struct udrv *d);
/* The kernel-mediated path on NIC dev: claims it (the claim ends with
 * the process) and maps two bounce buffers. 0/-errno (EBUSY: another
 * process holds it). */
int netdev_from_kernel(struct netdev *nd, int dev, const uint8_t mac[6]);

#endif
