/*
 * e1000e.h — what the kernel's e1000e stub tells a user-level driver
 * beyond the manifest: the meaning of SYS_INFO's result words.
 *
 * The manifest (SYS_DESCRIBE) names the regions "bar0" (slices TDT, RDT
 * read-write; TDH, RDH, STATUS read-only), "tx_ring", "rx_ring",
 * "tx_buffers" and "rx_buffers"; ring and buffer sizes come from here,
 * the register and descriptor layouts from the datasheet
 * (dev/e1000e_regs.h).
 */
#ifndef CAPIO_ABI_E1000E_H
#define CAPIO_ABI_E1000E_H

/* SYS_INFO results (struct sysret.x[]). */
enum {
	E1000E_INFO_NTXD,	/* TX descriptors */
	E1000E_INFO_NRXD,
	E1000E_INFO_BUFSIZE,	/* bytes per packet buffer */
	E1000E_INFO_TXBUF_DMA,	/* device address of tx_buffers */
	E1000E_INFO_RXBUF_DMA,	/* device address of rx_buffers */
	E1000E_INFO_MAC,	/* MAC address, byte 0 in bits 7..0 */
};

#endif
