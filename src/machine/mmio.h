/*
 * mmio.h — what a device model offers the machine's physical bus.
 *
 * A device registers one region per BAR (phys_add_mmio in phys.h). The bus
 * calls read/write with the offset inside the region and an access size of
 * 1, 2, 4 or 8 bytes; the device decides what a register does with it.
 * Device memory never holds capability tags.
 */
#ifndef CAPIO_MACHINE_MMIO_H
#define CAPIO_MACHINE_MMIO_H

#include <stdint.h>

struct mmio_ops {
	uint64_t (*read)(void *dev, uint64_t off, unsigned size);
	void (*write)(void *dev, uint64_t off, uint64_t val, unsigned size);
	/* Register name at off, for fault reports ("TDBAL"); may be NULL. */
	const char *(*reg_name)(void *dev, uint64_t off);
};

#endif
