/*
 * e1000e.c — the 82574L model's life cycle: creation, power-on and
 * software reset, the EEPROM image, link state, the interrupt line and
 * the saturating statistics counters.
 */
#include "dev/e1000e.h"

#include <stdlib.h>
#include <string.h>

#include "dev/e1000e_core.h"

/*
 * The NVM image behind EERD: an 82574L image as QEMU's e1000e carries it
 * (compatibility 0x03, PBA number 0x08-0x09, init control words 0x0A and
 * 0x0F, subsystem ID 0x0B, subsystem vendor 0x0C, device ID 0x0D, PCIe,
 * LED and PHY settings above). Words 0-2 take the MAC, word 0x3F the
 * checksum; both are filled in per device.
 */
#define EE_CHECKSUM	0x3F

static const uint16_t eeprom_image[E1000E_EEPROM_WORDS] = {
	0x0000, 0x0000, 0x0000, 0x0420, 0xF746, 0x2010, 0xFFFF, 0xFFFF,
	0x0000, 0x0000, 0x026B, E1000E_DEVICE_ID, E1000E_VENDOR_ID,
	E1000E_DEVICE_ID, 0x0000, 0x8058,
	0x0000, 0x2001, 0x7E7C, 0xFFFF, 0x1000, 0x00C8, 0x0000, 0x2704,
	0x6CC9, 0x3150, 0x070E, 0x460B, 0x2D84, 0x0100, 0xF000, 0x0706,
	0x6000, 0x0080, 0x0F04, 0x7FFF, 0x4F01, 0xC600, 0x0000, 0x20FF,
	0x0028, 0x0003, 0x0000, 0x0000, 0x0000, 0x0003, 0x0000, 0xFFFF,
	0x0100, 0xC000, 0x121C, 0xC007, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
	0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x0000, 0x0120, 0xFFFF, 0x0000,
};

static void
eeprom_init(struct e1000e *d)
{
	uint16_t sum = 0;
	unsigned i;

	memcpy(d->eeprom, eeprom_image, sizeof(d->eeprom));
	for (i = 0; i < 3; i++)
		d->eeprom[i] = (uint16_t)(d->mac_addr[2 * i] |
		    d->mac_addr[2 * i + 1] << 8);
	/* Drivers check that words 0x00-0x3F sum to 0xBABA. */
	for (i = 0; i < EE_CHECKSUM; i++)
		sum = (uint16_t)(sum + d->eeprom[i]);
	d->eeprom[EE_CHECKSUM] = (uint16_t)(E1000E_EEPROM_SUM - sum);
}

struct e1000e *
e1000e_new(const char *name, const uint8_t mac[6], struct iommu *dma)
{
	struct e1000e *d;

	if (name == NULL || mac == NULL || dma == NULL)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if ((d->name = strdup(name)) == NULL) {
		free(d);
		return NULL;
	}
	memcpy(d->mac_addr, mac, 6);
	d->dma = dma;
	d->port.deliver = e1000e_rx_deliver;
	d->port.nic = d;
	eeprom_init(d);
	e1000e_regs_init(d);
	e1000e_intr_init(d);
	e1000e_phy_init(d);
	e1000e_reset(d);
	return d;
}

void
e1000e_free(struct e1000e *d)
{
	if (d == NULL)
		return;
	e1000e_intr_stop(d);
	mtimer_del(&d->autoneg);
	free(d->name);
	free(d);
}

void
e1000e_set_clock(struct e1000e *d, struct mclock *clk)
{
	if (d == NULL)
		return;
	e1000e_intr_stop(d);
	mtimer_del(&d->autoneg);
	d->clk = clk;
	e1000e_intr_init(d);
	e1000e_phy_init(d);
}

const char *
e1000e_name(const struct e1000e *d)
{
	return d->name;
}

struct netport *
e1000e_port(struct e1000e *d)
{
	return &d->port;
}

/* STATUS.LU: the cable, CTRL.SLU, and no auto-negotiation under way. */
static bool
link_up(const struct e1000e *d)
{
	return d->carrier && (e1000e_reg(d, E1000E_CTRL) & E1000E_CTRL_SLU) &&
	    !e1000e_phy_negotiating(d);
}

void
e1000e_reset(struct e1000e *d)
{
	d->generation++;
	d->cnt.resets++;
	e1000e_intr_reset(d);
	e1000e_regs_reset(d);
	/* RAL0/RAH0 are loaded from the EEPROM, valid. */
	e1000e_reg_set(d, E1000E_RAL(0), (uint32_t)d->eeprom[0] |
	    (uint32_t)d->eeprom[1] << 16);
	e1000e_reg_set(d, E1000E_RAH(0), (uint32_t)d->eeprom[2] |
	    E1000E_RAH_AV);
	e1000e_tx_reset(d);
	e1000e_phy_reset(d);
	/* The link comes back without an LSC: ICR was just cleared. */
	d->carrier = d->port.carrier;
	e1000e_phy_set_link(d, d->carrier);
	if (link_up(d))
		e1000e_reg_set(d, E1000E_STATUS,
		    e1000e_reg(d, E1000E_STATUS) | E1000E_STATUS_LU);
	e1000e_update_irq(d);
}

void
e1000e_update_link(struct e1000e *d)
{
	uint32_t st = e1000e_reg(d, E1000E_STATUS);
	bool lu;

	if (d->carrier != d->port.carrier) {
		d->carrier = d->port.carrier;
		e1000e_phy_set_link(d, d->carrier);
	}
	lu = link_up(d);
	if (lu == ((st & E1000E_STATUS_LU) != 0))
		return;
	e1000e_reg_set(d, E1000E_STATUS, lu ? (st | E1000E_STATUS_LU) :
	    (st & ~E1000E_STATUS_LU));
	e1000e_set_cause(d, E1000E_ICR_LSC);
}

void
e1000e_link_changed(struct e1000e *d)
{
	if (d != NULL)
		e1000e_update_link(d);
}

void
e1000e_stat_inc(struct e1000e *d, uint32_t off, uint32_t n)
{
	uint32_t v = e1000e_reg(d, off);

	/* Statistics stick at their maximum rather than wrap. */
	e1000e_reg_set(d, off, v > UINT32_MAX - n ? UINT32_MAX : v + n);
}

void
e1000e_stat_add64(struct e1000e *d, uint32_t lo, uint64_t n)
{
	uint64_t v = (uint64_t)e1000e_reg(d, lo + 4) << 32 | e1000e_reg(d, lo);

	v = v > UINT64_MAX - n ? UINT64_MAX : v + n;
	e1000e_reg_set(d, lo, (uint32_t)v);
	e1000e_reg_set(d, lo + 4, (uint32_t)(v >> 32));
}

uint32_t
e1000e_size_bucket(uint32_t first, size_t len)
{
	static const size_t top[5] = { 64, 127, 255, 511, 1023 };
	unsigned i;

	for (i = 0; i < 5; i++)
		if (len <= top[i])
			break;
	return first + 4 * i;
}

void
e1000e_get_counters(const struct e1000e *d, struct e1000e_counters *c)
{
	*c = d->cnt;
}
