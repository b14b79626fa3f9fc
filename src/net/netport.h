/*
 * netport.h — the plug between a NIC model and a wire (QEMU's split of
 * device model and network backend).
 *
 * The NIC (src/dev/) owns the port and fills in `deliver`; a wire backend
 * (wire.h) attaches to it and fills in `xmit`. Frames are whole Ethernet frames
 * without the FCS, 14..16384 bytes.
 */
#ifndef CAPIO_NET_NETPORT_H
#define CAPIO_NET_NETPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netport {
	/* Set by the NIC: hand one received frame to the device. Returns
	 * false when the device dropped it (filtered, no buffer, disabled). */
	bool (*deliver)(void *nic, const uint8_t *frame, size_t len);
	void *nic;
	/* Set by the wire: carry one frame the NIC transmitted. NULL while
	 * no wire is attached (the frame is lost, as on an unplugged port). */
	void (*xmit)(void *wire, const uint8_t *frame, size_t len);
	/* Set by the wire, called by the NIC when it has sent every frame a
	 * doorbell asked for (Linux's xmit_more going false): a wire that
	 * holds frames back to carry them together lets them go. NULL when
	 * the wire holds none back. */
	void (*xmit_end)(void *wire);
	void *wire;
	/* Set by the wire: carrier present (feeds STATUS.LU). */
	bool carrier;
};

#endif
