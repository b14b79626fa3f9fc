/*
 * attack_catalogue.c — the attacks of docs/attacks.md, one process body each,
 * and the prologue every attacker runs first (attach to NIC 0, map its
 * regions, as a user-level driver does).
 *
 * A body marks the start of its malicious step (ATK_ATTACKING); a fault
 * from there on is the attack being trapped. If the step completes, the
 * body says what it observed in c->note; a refused system call leaves
 * its -errno in c->rc. The harness (attack_harness.c) judges.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dev/e1000e_desc.h"
#include "dev/e1000e_regs.h"
#include "eval/attack.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/e1000e_stub.h"
#include "machine/cpu.h"

const uint8_t attack_secret[ATK_SECRET_LEN] =
    "CAPIO-KERNEL-SECRET root-key=7f3a91c2e05d44b8 never-on-the-wire!";
const uint8_t attack_payload[64] =
    "ATTACKER-BYTES: written by the NIC where no device may write....";

const char *const attack_kept_names[ATK_KEPT_CAPS] = {
	"TDT", "RDT", "TDH", "RDH", "STATUS",
	"tx_ring", "rx_ring", "tx_buffers", "rx_buffers",
};

#define FAKE_RING	0x10000u	/* in the TX pool: a ring of our own */

static void
note(struct atk_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->note, sizeof c->note, fmt, ap);
	va_end(ap);
}

/* From slice register FROM to register TO: both arms give a slice
 * capability whose address is its register's. */
static int64_t
rel(uint32_t to, uint32_t from)
{
	return (int64_t)to - (int64_t)from;
}

static cap_t
slice(const struct atk_ctx *c, const char *name)
{
	return capio_slice(&c->bar, name);
}

/* Plain bits, no tag: what a process can make from integers. */
static cap_t
forge(uint64_t pesbt, uint64_t cursor)
{
	return cap_from_mem(pesbt, cursor, false);
}

static void
attacking(struct atk_ctx *c)
{
	c->stage = ATK_ATTACKING;
}

/* A legacy TX descriptor at index i of ring r (in our memory). */
static void
put_txd(cap_t r, int64_t at, uint64_t addr, uint16_t len, uint8_t cmd)
{
	struct e1000e_tx_desc d = { .addr = addr, .length = len, .cmd = cmd };

	st64(r, at + E1000E_DESC_ADDR_OFF, d.addr);
	st64(r, at + E1000E_DESC_QW1_OFF, e1000e_tx_desc_qw1(&d));
}

/* Broadcast Ethernet header from our MAC into the TX pool at 0. */
static void
put_header(struct atk_ctx *c)
{
	uint8_t h[14];
	uint64_t mac = c->info[E1000E_INFO_MAC];

	memset(h, 0xff, 6);
	for (int i = 0; i < 6; i++)
		h[6 + i] = (uint8_t)(mac >> (8 * i));
	h[12] = 0x88;
	h[13] = 0xb5;
	stbytes(c->txb.caps[0], 0, h, sizeof h);
}

/* --- 1. out of bounds within the page -------------------------------- */

static void
tdt_tdbal(struct atk_ctx *c)
{
	cap_t tdt = slice(c, "TDT");

	attacking(c);
	st32(tdt, rel(E1000E_TDBAL, E1000E_TDT), 0xdead0000);
	note(c, "TDBAL reads back 0x%08x", ld32(tdt, rel(E1000E_TDBAL, E1000E_TDT)));
}

static void
rdt_rdbal(struct atk_ctx *c)
{
	cap_t rdt = slice(c, "RDT");

	attacking(c);
	st32(rdt, rel(E1000E_RDBAL, E1000E_RDT), 0xdead0000);
	note(c, "RDBAL reads back 0x%08x", ld32(rdt, rel(E1000E_RDBAL, E1000E_RDT)));
}

static void
status_ctrl(struct atk_ctx *c)
{
	cap_t st = slice(c, "STATUS");
	int64_t o = rel(E1000E_CTRL, E1000E_STATUS);

	attacking(c);
	st32(st, o, ld32(st, o) | E1000E_CTRL_RST);
	note(c, "CTRL.RST written: the NIC reset itself (RCTL now 0x%08x)",
	    ld32(st, rel(E1000E_RCTL, E1000E_STATUS)));
}

static void
status_rctl(struct atk_ctx *c)
{
	cap_t st = slice(c, "STATUS");
	int64_t o = rel(E1000E_RCTL, E1000E_STATUS);

	attacking(c);
	st32(st, o, ld32(st, o) | E1000E_RCTL_UPE | E1000E_RCTL_MPE);
	note(c, "RCTL now 0x%08x: promiscuous, every frame on the wire is "
	    "delivered", ld32(st, o));
}

/* --- 2. spills and misalignment --------------------------------------- */

static void
tdt_spill8(struct atk_ctx *c)
{
	cap_t tdt = slice(c, "TDT");

	attacking(c);
	/* Low half: TDT's own value (0), high half: 4 bytes past the slice. */
	st64(tdt, 0, 0xfeedfaceull << 32);
	note(c, "8-byte store completed: 4 of its bytes reached BAR0+0x%x, "
	    "past the TDT slice", E1000E_TDT + 4);
}

static void
tdt_misaligned(struct atk_ctx *c)
{
	cap_t tdt = slice(c, "TDT");

	attacking(c);
	st16(tdt, 1, 0x0101);
	note(c, "2-byte store at TDT+1 completed");
}

/* --- 3. read-only slices ------------------------------------------------ */

static void
ro_tdh(struct atk_ctx *c)
{
	cap_t tdh = slice(c, "TDH");

	attacking(c);
	st32(tdh, 0, 5);
	note(c, "TDH now %u: the NIC's TX head moved by the process",
	    ld32(tdh, 0));
}

static void
ro_status(struct atk_ctx *c)
{
	cap_t st = slice(c, "STATUS");

	attacking(c);
	st32(st, 0, 0);
	note(c, "the store executed (STATUS itself ignores writes: it reads "
	    "0x%08x)", ld32(st, 0));
}

/* --- 4. read-to-clear registers ----------------------------------------- */

static void
icr_steal(struct atk_ctx *c)
{
	cap_t st = slice(c, "STATUS");
	uint32_t v;

	/* The link flapped just now; the kernel has not looked yet. */
	attacking(c);
	v = ld32(st, rel(E1000E_ICR, E1000E_STATUS));
	note(c, "read ICR = 0x%08x%s, clearing it", v, (v & E1000E_ICR_LSC) ?
	    " (LSC: the kernel's link event)" : "");
}

static void
stats_steal(struct atk_ctx *c)
{
	cap_t tdt = slice(c, "TDT");
	uint32_t v;

	attacking(c);
	v = ld32(tdt, rel(E1000E_GPTC, E1000E_TDT));
	note(c, "read GPTC = %u, clearing the kernel's count", v);
}

/* --- 5. deriving more than was granted ---------------------------------- */

static void
widen(struct atk_ctx *c)
{
	cap_t tdt = slice(c, "TDT"), w;
	uint64_t tdbal = cheri_address_get(tdt) + (uint64_t)rel(E1000E_TDBAL,
	    E1000E_TDT);

	w = cheri_address_set(tdt, cheri_base_get(tdt) - 0x1000);
	w = cheri_bounds_set(w, cheri_length_get(tdt) + 0x2000);
	attacking(c);
	st32(w, (int64_t)(tdbal - cheri_address_get(w)), 0xdead0000);
	note(c, "widened capability stored to TDBAL");
}

static void
raise_perms(struct atk_ctx *c)
{
	cap_t tdh = slice(c, "TDH"), r;

	/* TDH's bits with Store added, rebuilt with TDH as the authority. */
	r = forge(cap_field_set(tdh.pesbt, PERMS,
	    cap_field_get(tdh.pesbt, PERMS) | CAP_PERM_STORE), tdh.cursor);
	r = cheri_cap_build(tdh, r);
	attacking(c);
	st32(r, 0, 5);
	note(c, "TDH capability rebuilt with Store: TDH now %u", ld32(tdh, 0));
}

static void
unrepresentable(struct atk_ctx *c)
{
	cap_t tdt = slice(c, "TDT"), r;

	r = cheri_address_set(tdt, cheri_address_get(tdt) + (1ull << 40));
	r = cheri_address_set(r, cheri_address_get(tdt));
	attacking(c);
	st32(r, rel(E1000E_TDBAL, E1000E_TDT), 0xdead0000);
	note(c, "capability survived the round trip out of its "
	    "representable range");
}

/* --- 6. capabilities from data ------------------------------------------ */

static void
fabricate(struct atk_ctx *c)
{
	cap_t r = forge(CAP_ROOT_PESBT, c->bar.va + E1000E_TDBAL);

	r = cheri_cap_build(slice(c, "TDT"), r);
	attacking(c);
	st32(r, 0, 0xdead0000);
	note(c, "a capability made from integers reached TDBAL");
}

static void
overwrite_stored(struct atk_ctx *c)
{
	cap_t m, r;

	if (sys_mmap(4096, &m) != 0) {
		snprintf(c->setup_error, sizeof c->setup_error, "mmap failed");
		return;
	}
	stcap(m, 0, slice(c, "TDT"));
	attacking(c);
	st64(m, 0, c->bar.va + E1000E_TDBAL);	/* its address half */
	r = ldcap(m, 0);
	st32(r, 0, 0xdead0000);
	note(c, "the edited capability loaded back tagged and reached TDBAL");
}

/* --- 7. tokens ---------------------------------------------------------- */

static void
token_deref(struct atk_ctx *c)
{
	attacking(c);
	note(c, "loaded 0x%08x through the sealed token", ld32(c->token, 0));
}

static void
map_with(struct atk_ctx *c, int dev, cap_t token, const char *what)
{
	struct capio_grant g;
	int rc;

	attacking(c);
	if ((rc = capio_map(dev, token, &c->desc, "bar0", false, &g)) < 0)
		c->rc = rc;
	else
		note(c, "%s accepted: BAR0 mapped at 0x%llx", what,
		    (unsigned long long)g.va);
}

static void
token_modify(struct atk_ctx *c)
{
	map_with(c, 0, cheri_address_set(c->token,
	    cheri_address_get(c->token) + 16), "a modified token");
}

static void
token_forged(struct atk_ctx *c)
{
	map_with(c, 0, c->identity, "the unsealed identity as a token");
}

static void
token_other_dev(struct atk_ctx *c)
{
	map_with(c, 1, c->token, "NIC 0's token on NIC 1");
}

static void
second_attach(struct atk_ctx *c)
{
	cap_t id, t;
	int rc;

	if (sys_mmap(4096, &id) != 0) {
		snprintf(c->setup_error, sizeof c->setup_error, "mmap failed");
		return;
	}
	attacking(c);
	if ((rc = capio_attach(0, id, &t)) < 0)
		c->rc = rc;
	else
		note(c, "a second attach got a token");
}

/* --- 8. kept capabilities ------------------------------------------------ */

static void
keep_all(struct atk_ctx *c, cap_t kept[ATK_KEPT_CAPS])
{
	for (int i = 0; i < 5; i++)
		kept[i] = slice(c, attack_kept_names[i]);
	kept[5] = c->txr.caps[0];
	kept[6] = c->rxr.caps[0];
	kept[7] = c->txb.caps[0];
	kept[8] = c->rxb.caps[0];
}

/* Use one kept capability: load through read-only slices, store else. */
static void
use_kept(struct atk_ctx *c, cap_t k, int v)
{
	attacking(c);
	if (v >= 2 && v <= 4)
		note(c, "kept %s still loads: 0x%08x", attack_kept_names[v],
		    ld32(k, 0));
	else {
		st32(k, 0, 0x41414141);
		note(c, "kept %s still stores", attack_kept_names[v]);
	}
}

static void
after_goodbye(struct atk_ctx *c)
{
	cap_t kept[ATK_KEPT_CAPS], id, t;
	struct capio_grant g;
	static const char *const regions[] = {
		"bar0", "tx_ring", "rx_ring", "tx_buffers", "rx_buffers",
	};

	keep_all(c, kept);
	if (capio_goodbye(0, c->token) != 0 || sys_mmap(4096, &id) != 0 ||
	    capio_attach(0, id, &t) != 0) {
		snprintf(c->setup_error, sizeof c->setup_error,
		    "goodbye or second attach failed");
		return;
	}
	/* Attached again: the device's regions are mapped anew, elsewhere. */
	for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
		if (capio_map(0, t, &c->desc, regions[i], false, &g) != 0) {
			snprintf(c->setup_error, sizeof c->setup_error,
			    "map after re-attach failed");
			return;
		}
	c->stage = ATK_READY;
	sys_yield();
	use_kept(c, kept[c->variant], c->variant);
}

void
attack_holder(void *arg)
{
	struct atk_ctx *c = arg;

	/* attack_process did the mapping; hand everything over, then wait
	 * to be killed. */
	keep_all(c, c->kept);
	c->holder_mapped = true;
	for (int i = 0; i < 1000; i++)
		sys_yield();
}

void
attack_accomplice(void *arg)
{
	struct atk_ctx *c = arg;

	for (int i = 0; !c->go; i++) {
		if (i == 1000)
			return;		/* no new owner: the harness reports it */
		sys_yield();
	}
	use_kept(c, c->kept[c->variant], c->variant);
	c->stage = ATK_DONE;
}

/* --- 9. capabilities into device-visible memory -------------------------- */

static void
cap_to_txbuf(struct atk_ctx *c)
{
	attacking(c);
	stcap(c->txb.caps[0], 0, c->identity);
	note(c, "a capability was stored into a TX buffer");
}

static void
cap_to_ring(struct atk_ctx *c)
{
	attacking(c);
	stcap(c->txr.caps[0], 0, c->identity);
	note(c, "a capability was stored into the TX ring");
}

static void
map_storecap(struct atk_ctx *c)
{
	const struct capio_region_desc *rg = capio_region(&c->desc, "tx_buffers");
	struct sysargs a = { .c = { c->token } };
	struct sysret r;
	int64_t rc;

	a.x[0] = 0;
	a.x[1] = (uint64_t)(rg - c->desc.regions);
	a.x[2] = rg->size;
	a.x[3] = CAP_PERM_LOAD | CAP_PERM_STORE | CAP_PERM_LOAD_CAP |
	    CAP_PERM_STORE_CAP;
	attacking(c);
	if ((rc = capio_syscall(SYS_MAP, &a, &r)) < 0)
		c->rc = (int)rc;
	else
		note(c, "tx_buffers mapped with StoreCap");
}

/* --- 10. just past the end ---------------------------------------------- */

static void
txbuf_past_end(struct atk_ctx *c)
{
	attacking(c);
	st8(c->txb.caps[0], E1000E_TX_POOL_SIZE, 0x41);
	note(c, "stored one byte past the TX buffer pool");
}

static void
ring_past_end(struct atk_ctx *c)
{
	attacking(c);
	put_txd(c->txr.caps[0], E1000E_TX_RING_SIZE, c->secret_pa, 64,
	    E1000E_TXD_CMD_EOP);
	note(c, "wrote a descriptor one past the TX ring's end");
}

/* --- 11. DMA ------------------------------------------------------------- */

static void
tx_desc_kernel(struct atk_ctx *c)
{
	cap_t txr = c->txr.caps[0];

	put_header(c);
	attacking(c);
	/* Header from our buffer, then 64 bytes from the kernel's memory. */
	put_txd(txr, 0, c->info[E1000E_INFO_TXBUF_DMA], 14, E1000E_TXD_CMD_IFCS);
	put_txd(txr, 16, c->secret_pa, ATK_SECRET_LEN, E1000E_TXD_CMD_EOP |
	    E1000E_TXD_CMD_IFCS | E1000E_TXD_CMD_RS);
	st32(slice(c, "TDT"), 0, 2);
	note(c, "TX descriptor 1 points at kernel memory 0x%llx",
	    (unsigned long long)c->secret_pa);
}

static void
rx_desc_to(struct atk_ctx *c, uint64_t pa)
{
	cap_t rxr = c->rxr.caps[0];

	attacking(c);
	st64(rxr, 0, pa);
	st64(rxr, 8, 0);
	st32(slice(c, "RDT"), 0, 1);
	note(c, "RX descriptor 0 points at 0x%llx", (unsigned long long)pa);
}

static void
rx_desc_kernel(struct atk_ctx *c)
{
	rx_desc_to(c, c->secret_pa);
}

static void
rx_desc_victim(struct atk_ctx *c)
{
	rx_desc_to(c, c->victim_pa);
}

static void
ring_base(struct atk_ctx *c)
{
	cap_t tdt = slice(c, "TDT"), txb = c->txb.caps[0];
	uint64_t fake = c->info[E1000E_INFO_TXBUF_DMA] + FAKE_RING;

	/* Our own ring, in our TX pool: the header, then the secret. */
	put_header(c);
	put_txd(txb, FAKE_RING, c->info[E1000E_INFO_TXBUF_DMA], 14,
	    E1000E_TXD_CMD_IFCS);
	put_txd(txb, FAKE_RING + 16, c->secret_pa, ATK_SECRET_LEN,
	    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_IFCS);
	attacking(c);
	st32(tdt, rel(E1000E_TDBAL, E1000E_TDT), (uint32_t)fake);
	st32(tdt, rel(E1000E_TDBAH, E1000E_TDT), (uint32_t)(fake >> 32));
	st32(tdt, rel(E1000E_TDLEN, E1000E_TDT), 128);
	st32(tdt, rel(E1000E_TDH, E1000E_TDT), 0);
	st32(tdt, 0, 2);
	note(c, "TX ring moved to 0x%llx (TDBAL rewritten), doorbell rung",
	    (unsigned long long)fake);
}

/* --- 12. two tenants on one page ------------------------------------------ */

static void
tenant_doorbell(struct atk_ctx *c)
{
	cap_t tdt = slice(c, "TDT");

	attacking(c);
	st32(tdt, rel(E1000E_TDT1, E1000E_TDT), 3);
	note(c, "tenant B's doorbell TDT1 now %u",
	    ld32(tdt, rel(E1000E_TDT1, E1000E_TDT)));
}

static void
tenant_ring_base(struct atk_ctx *c)
{
	cap_t tdt = slice(c, "TDT");
	uint64_t fake = c->info[E1000E_INFO_TXBUF_DMA] + FAKE_RING;

	attacking(c);
	st32(tdt, rel(E1000E_TDBAL1, E1000E_TDT), (uint32_t)fake);
	note(c, "tenant B's ring base TDBAL1 now 0x%08x",
	    ld32(tdt, rel(E1000E_TDBAL1, E1000E_TDT)));
}

/* --- 13. the kernel-mediated path: a victim serves NIC 0 through it ------ */

/* Without the claim: no token at all, then its own identity as one. */
static cap_t
no_claim(const struct atk_ctx *c, int i)
{
	return i == 0 ? cap_null() : c->identity;
}

static void
kpath_sniff(struct atk_ctx *c)
{
	uint64_t flen;
	cap_t m;
	int64_t n;

	if (sys_mmap(2048, &m) != 0) {
		snprintf(c->setup_error, sizeof c->setup_error, "mmap failed");
		return;
	}
	attacking(c);
	for (int i = 0; i < 2; i++) {
		if ((n = sys_recv(0, no_claim(c, i), m, 2048, &flen)) >= 0) {
			note(c, "received a %llu-byte frame meant for the "
			    "victim", (unsigned long long)flen);
			c->rc = 0;
			return;
		}
		if (c->rc == 0)
			c->rc = (int)n;
	}
}

static void
kpath_spoof(struct atk_ctx *c)
{
	/* The victim's source address (NIC 0's MAC is no secret). */
	static const uint8_t victim_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34,
	    0x56 };
	uint8_t f[60];
	cap_t m;
	int64_t n;

	if (sys_mmap(2048, &m) != 0) {
		snprintf(c->setup_error, sizeof c->setup_error, "mmap failed");
		return;
	}
	memset(f, 0, sizeof f);
	memset(f, 0xff, 6);
	memcpy(f + 6, victim_mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	memcpy(f + 14, ATK_SPOOF_MARK, sizeof ATK_SPOOF_MARK - 1);
	stbytes(m, 0, f, sizeof f);
	attacking(c);
	for (int i = 0; i < 2; i++) {
		if ((n = sys_send(0, no_claim(c, i), m, sizeof f)) >= 0) {
			note(c, "sent a frame as NIC 0 (source %02x:%02x:...)",
			    victim_mac[0], victim_mac[1]);
			c->rc = 0;
			return;
		}
		if (c->rc == 0)
			c->rc = (int)n;
	}
}

static void
kpath_hijack(struct atk_ctx *c)
{
	cap_t t;
	int rc;

	attacking(c);
	if ((rc = capio_attach(0, c->identity, &t)) == 0) {
		note(c, "attached NIC 0 for a user-level driver while the "
		    "victim served it");
		return;
	}
	c->rc = rc;
	if ((rc = capio_attach_kernel_path(0, c->identity, &t)) == 0) {
		note(c, "claimed NIC 0's kernel path while the victim held it");
		c->rc = 0;
	}
}

/* --- 14. kernel resources ------------------------------------------------- */

#define FLOOD_CHUNK	(1u << 20)

static void
ram_exhaust(struct atk_ctx *c)
{
	uint64_t took = 0;
	cap_t m;
	int rc = 0;

	attacking(c);
	/* More than the machine has: only a refusal ends it. */
	for (int i = 0; i < 8192 && (rc = sys_mmap(FLOOD_CHUNK, &m)) == 0; i++)
		took += FLOOD_CHUNK;
	c->rc = rc;
	note(c, "stopped after %llu MiB", (unsigned long long)(took >> 20));
	/* Keep it all while a later process asks for memory. */
	c->stage = ATK_DONE;
	for (int i = 0; i < 200 && !c->victim_done; i++)
		sys_yield();
}

static void
pt_exhaust(struct atk_ctx *c)
{
	static const char *const regions[] = {
		"bar0", "tx_ring", "rx_ring", "tx_buffers", "rx_buffers",
	};
	struct capio_grant g;
	cap_t t;
	int rc;

	attacking(c);
	for (c->cycles = 0; c->cycles < ATK_PT_CYCLES; c->cycles++) {
		if ((rc = capio_attach(0, c->identity, &t)) != 0) {
			c->rc = rc;
			return;
		}
		for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
			if ((rc = capio_map(0, t, &c->desc, regions[i],
			    false, &g)) != 0) {
				c->rc = rc;
				(void)capio_goodbye(0, t);
				return;
			}
		if ((rc = capio_goodbye(0, t)) != 0) {
			c->rc = rc;
			return;
		}
		/* The harness reads the kernel's count between rounds. */
		if (c->cycles % 64 == 63)
			sys_yield();
	}
}

/* --- 15. a victim's network stack, from the wire ------------------------- */

/* The prologue's own: NIC 1, as a user-level driver opens it, with the
 * victim's address known. */
static struct atk_tcp *
peer_open(struct atk_ctx *c)
{
	int rc;

	if ((rc = atk_tcp_open(c->tcp, 1, c->victim_mac)) != 0) {
		snprintf(c->setup_error, sizeof c->setup_error, "NIC 1: %s",
		    capio_strerror(rc));
		return NULL;
	}
	return c->tcp;
}

static void
wrong(struct atk_ctx *c, const char *what)
{
	if (c->mc_wrong[0] == '\0')
		snprintf(c->mc_wrong, sizeof c->mc_wrong, "%s", what);
}

static void
hostile_netstack(struct atk_ctx *c)
{
	static const uint8_t mss1460[4] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t mss16[4] = { 2, 4, 0, 16 };
	static const uint8_t mss1[4] = { 2, 4, 0, 1 };
	static const uint8_t mss8[4] = { 2, 4, 0, 8 };
	/* Length 0, a length past the header, window scale without SYN. */
	static const uint8_t badopt[8] = { 1, 2, 0, 1, 8, 255, 3, 3 };
	struct atk_tcp *t;
	struct atk_conn *b, *d;
	uint8_t v6[128];
	bool version, value;

	if ((t = peer_open(c)) == NULL)
		return;
	b = &t->c[0];
	d = &t->c[1];
	attacking(c);
	/* Window shut, a request queued, then an MSS of 16 on data: the
	 * sequence that makes Debian's lwIP abort. */
	if (!atk_tcp_connect(t, b, 40001, mss1460)) {
		wrong(c, "the handshake was never answered");
		goto out;
	}
	atk_tcp_send(t, b, ATK_TCP_ACK, 0, NULL, 0, NULL);
	atk_tcp_send(t, b, ATK_TCP_ACK | ATK_TCP_PSH, 0, NULL, 0, "stats\r\n");
	atk_tcp_pump(t, 200, 0, NULL, NULL);
	atk_tcp_send(t, b, ATK_TCP_ACK | ATK_TCP_PSH, 0, mss16, 4,
	    "version\r\n");
	atk_tcp_pump(t, 200, 0, NULL, NULL);
	atk_tcp_send(t, b, ATK_TCP_ACK, 65535, NULL, 0, NULL);
	version = atk_tcp_pump(t, 20000, 65535, b, "VERSION ");
	if (!version)
		wrong(c, "the version sent with an MSS option of 16 was never "
		    "answered");
	/* A SYN's MSS of 1, then an MSS of 8 on data, then bad options. */
	value = atk_tcp_connect(t, d, 40002, mss1) &&
	    atk_tcp_ask(t, d, mss8, 4, "get pre\r\n", "END\r\n") &&
	    strstr(d->got, "VALUE pre 0 5\r\nhello\r\n") != NULL;
	if (!value)
		wrong(c, "get pre after an MSS of 1 and 8 was not answered "
		    "with the value");
	(void)atk_tcp_ask(t, d, badopt, sizeof badopt, "version\r\n",
	    "VERSION ");
	/* TCP in a first fragment and in a later one, and IPv6. */
	d->ngot = 0;
	d->got[0] = '\0';
	atk_tcp_seg(t, d, d->snd, ATK_TCP_ACK | ATK_TCP_PSH, 65535, mss16, 4,
	    "version\r\n", 9, 0x2000);
	atk_tcp_seg(t, d, d->snd, ATK_TCP_ACK | ATK_TCP_PSH, 65535, NULL, 0,
	    "version\r\n", 9, 0x0003);
	memset(v6, 0, sizeof v6);
	memcpy(v6, t->dmac, 6);
	memcpy(v6 + 6, t->d.mac, 6);
	v6[12] = 0x86;
	v6[13] = 0xdd;
	v6[14] = 0x60;
	v6[20] = 6;		/* next header: TCP */
	atk_tcp_raw(t, v6, sizeof v6);
	atk_tcp_pump(t, 400, 65535, NULL, NULL);
	note(c, "version after MSS 16 %s, get pre after MSS 1 and 8 %s; "
	    "bad options, fragments, IPv6 sent", version ? "answered" :
	    "unanswered", value ? "served" : "unserved");
out:
	atk_tcp_close(t);
}

#define FLOOD_CONNS	12	/* past the victim's -c 8 */

static void
conn_flood(struct atk_ctx *c)
{
	static const uint8_t mss1460[4] = { 2, 4, 0x05, 0xb4 };
	struct atk_tcp *t;
	int open = 0, refused = 0;

	if ((t = peer_open(c)) == NULL)
		return;
	attacking(c);
	for (int i = 0; i < FLOOD_CONNS; i++) {
		if (atk_tcp_connect(t, &t->c[i], (uint16_t)(42000 + i), mss1460))
			open++;
		atk_tcp_pump(t, 50, 65535, NULL, NULL);
	}
	/* Idle: whatever the victim says, it says now. */
	atk_tcp_pump(t, 400, 65535, NULL, NULL);
	for (int i = 0; i < FLOOD_CONNS; i++)
		if (t->c[i].reset || t->c[i].fin || t->c[i].ngot > 0)
			refused++;
	if (refused == 0)
		wrong(c, "every connection past -c was kept");
	note(c, "%d connections held idle, %d refused", open, refused);
	atk_tcp_close(t);
}

#define SETFLOOD_CONNS	6
#define SETFLOOD_BYTES	1000000	/* under -I 1m; never sent in full */

static void
set_flood(struct atk_ctx *c)
{
	static const uint8_t mss1460[4] = { 2, 4, 0x05, 0xb4 };
	char req[2048];
	struct atk_tcp *t;
	int oom = 0, open = 0;

	if ((t = peer_open(c)) == NULL)
		return;
	attacking(c);
	for (int i = 0; i < SETFLOOD_CONNS; i++) {
		struct atk_conn *k = &t->c[i];
		int n;

		if (!atk_tcp_connect(t, k, (uint16_t)(43000 + i), mss1460))
			continue;
		open++;
		/* The command line, then a start of the value, and no more. */
		n = snprintf(req, sizeof req, "set big%d 0 0 %d\r\n", i,
		    SETFLOOD_BYTES);
		memset(req + n, 'x', 1000);
		req[n + 1000] = '\0';
		atk_tcp_send(t, k, ATK_TCP_ACK | ATK_TCP_PSH, 65535, NULL, 0,
		    req);
		atk_tcp_pump(t, 100, 65535, NULL, NULL);
	}
	atk_tcp_pump(t, 400, 65535, NULL, NULL);
	for (int i = 0; i < SETFLOOD_CONNS; i++)
		if (strstr(t->c[i].got, "SERVER_ERROR out of memory") != NULL)
			oom++;
	if (oom == 0)
		wrong(c, "no set was refused for memory");
	/* Sets in flight may hold a quarter of -m (one item at least). */
	else if ((uint64_t)(open - oom) * SETFLOOD_BYTES > ATK_MC_MEMORY / 4)
		wrong(c, "its unfinished sets hold more than a quarter of -m");
	note(c, "%d sets of %d bytes begun, %d answered SERVER_ERROR out "
	    "of memory", open, SETFLOOD_BYTES, oom);
	atk_tcp_close(t);
}

/* --- the prologue ------------------------------------------------------- */

void
attack_process(void *arg)
{
	static const char *const regions[] = {
		"bar0", "tx_ring", "rx_ring", "tx_buffers", "rx_buffers",
	};
	struct atk_ctx *c = arg;
	struct capio_grant *g[] = { &c->bar, &c->txr, &c->rxr, &c->txb, &c->rxb };
	int rc;

	c->stage = ATK_SETUP;
	/* The identity page doubles as the description's buffer. */
	if ((rc = sys_mmap(4096, &c->identity)) != 0 ||
	    (rc = capio_describe(0, c->identity, &c->desc)) != 0 ||
	    (!(c->attack->flags & ATK_NO_ATTACH) &&
	    (rc = capio_attach(0, c->identity, &c->token)) != 0)) {
		snprintf(c->setup_error, sizeof c->setup_error, "attach: %s",
		    capio_strerror(rc));
		return;
	}
	if (c->attack->flags & ATK_KPATH) {
		for (int i = 0; i < 50 && !c->victim_ready; i++)
			sys_yield();
		if (!c->victim_ready) {
			snprintf(c->setup_error, sizeof c->setup_error,
			    "the victim never claimed NIC 0");
			return;
		}
	}
	/* Class 15: the victim serves, and holds "pre", before we start. */
	if (c->attack->flags & ATK_MEMCACHED) {
		for (int i = 0; i < 100000 && !c->victim_ready; i++)
			sys_yield();
		if (!c->victim_ready) {
			snprintf(c->setup_error, sizeof c->setup_error,
			    "the victim memcached never held \"pre\"");
			return;
		}
	}
	if (!(c->attack->flags & (ATK_MAP_NONE | ATK_NO_ATTACH))) {
		for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
			if ((rc = capio_map(0, c->token, &c->desc,
			    regions[i], false, g[i])) != 0) {
				snprintf(c->setup_error, sizeof c->setup_error,
				    "map %s: %s", regions[i], capio_strerror(rc));
				return;
			}
		if ((rc = capio_info(0, c->token, c->info)) != 0) {
			snprintf(c->setup_error, sizeof c->setup_error, "info: %s",
			    capio_strerror(rc));
			return;
		}
	}
	if (c->attack->flags & ATK_AFTER_KILL) {
		attack_holder(c);
		return;
	}
	c->stage = ATK_READY;
	sys_yield();
	c->attack->body(c);
	if (c->setup_error[0] != '\0')
		return;
	if (c->stage == ATK_ATTACKING)
		c->stage = ATK_DONE;
	/* Stay the owner a little: a peer's frame may still be arriving. */
	for (int i = 0; i < 3; i++)
		sys_yield();
}

/* --- the catalogue ------------------------------------------------------- */

const struct attack attack_catalogue[] = {
	{ "1a", 1, "tdt-tdbal", "store through the TDT slice into TDBAL (same page)",
	  tdt_tdbal, 0, 0 },
	{ "1b", 1, "rdt-rdbal", "store through the RDT slice into RDBAL (same page)",
	  rdt_rdbal, 0, 0 },
	{ "1c", 1, "status-ctrl-reset", "store through the STATUS slice into CTRL: "
	  "device reset", status_ctrl, 0, 0 },
	{ "1d", 1, "status-rctl-promisc", "store through the STATUS slice into RCTL: "
	  "promiscuous mode", status_rctl, 0, 0 },
	{ "2a", 2, "tdt-spill8", "8-byte store at TDT, spilling past the slice",
	  tdt_spill8, 0, 0 },
	{ "2b", 2, "tdt-misaligned", "misaligned 2-byte store at TDT+1",
	  tdt_misaligned, 0, 0 },
	{ "3a", 3, "ro-tdh", "store through the read-only TDH slice",
	  ro_tdh, 0, 0 },
	{ "3b", 3, "ro-status", "store through the read-only STATUS slice",
	  ro_status, 0, 0 },
	{ "4a", 4, "icr-steal", "read ICR (read-to-clear) to steal the kernel's "
	  "link event", icr_steal, ATK_CABLE, 0 },
	{ "4b", 4, "stats-steal", "read a statistics counter (read-to-clear)",
	  stats_steal, 0, 0 },
	{ "5a", 5, "widen", "widen the TDT slice by 4 KiB each way, store to TDBAL",
	  widen, 0, 0 },
	{ "5b", 5, "raise-perms", "rebuild the read-only TDH slice with Store",
	  raise_perms, 0, 0 },
	{ "5c", 5, "unrepresentable", "move TDT's address out of the representable "
	  "range and back", unrepresentable, 0, 0 },
	{ "6a", 6, "fabricate", "make a capability to TDBAL from integers",
	  fabricate, 0, 0 },
	{ "6b", 6, "overwrite-stored", "overwrite a stored capability with data, "
	  "load it back", overwrite_stored, 0, 0 },
	{ "7a", 7, "token-deref", "load through the sealed token",
	  token_deref, ATK_MAP_NONE, 0 },
	{ "7b", 7, "token-modify", "map with a modified token",
	  token_modify, ATK_MAP_NONE, 0 },
	{ "7c", 7, "token-forged", "map with a forged (unsealed) token",
	  token_forged, ATK_MAP_NONE, 0 },
	{ "7d", 7, "token-other-device", "map NIC 1 with NIC 0's token",
	  token_other_dev, ATK_MAP_NONE, 0 },
	{ "7e", 7, "second-attach", "attach a second time",
	  second_attach, ATK_MAP_NONE, 0 },
	{ "8a", 8, "after-goodbye", "use every kept capability after goodbye "
	  "(and a new attach)", after_goodbye, 0, ATK_KEPT_CAPS },
	{ "8b", 8, "after-kill", "use every kept capability after its holder was "
	  "killed and another process attached", NULL, ATK_AFTER_KILL,
	  ATK_KEPT_CAPS },
	{ "9a", 9, "cap-to-txbuf", "store a capability into a TX buffer",
	  cap_to_txbuf, 0, 0 },
	{ "9b", 9, "cap-to-ring", "store a capability into the TX ring",
	  cap_to_ring, 0, 0 },
	{ "9c", 9, "map-storecap", "map the TX buffers with StoreCap",
	  map_storecap, ATK_MAP_NONE, 0 },
	{ "10a", 10, "txbuf-past-end", "store one byte past the TX buffer pool",
	  txbuf_past_end, 0, 0 },
	{ "10b", 10, "ring-past-end", "write a descriptor one past the TX ring's end",
	  ring_past_end, 0, 0 },
	{ "11a", 11, "dma-tx-kernel", "TX descriptor whose buffer is kernel memory",
	  tx_desc_kernel, ATK_TRAFFIC | ATK_DMA, 0 },
	{ "11b", 11, "dma-rx-kernel", "RX descriptor pointing at kernel memory",
	  rx_desc_kernel, ATK_TRAFFIC | ATK_DMA | ATK_PEER, 0 },
	{ "11c", 11, "dma-rx-process", "RX descriptor pointing at another "
	  "process's buffer", rx_desc_victim, ATK_TRAFFIC | ATK_DMA | ATK_PEER, 0 },
	{ "11d", 11, "ring-base-exfil", "rewrite TDBAL: a ring of our own that "
	  "sends the kernel's secret", ring_base,
	  ATK_TRAFFIC | ATK_DMA | ATK_EXFIL, 0 },
	{ "12a", 12, "tenant-doorbell", "ring tenant B's doorbell (TDT1, same page)",
	  tenant_doorbell, ATK_TENANT, 0 },
	{ "12b", 12, "tenant-ring-base", "rewrite tenant B's ring base (TDBAL1, "
	  "same page)", tenant_ring_base, ATK_TENANT, 0 },
	{ "13a", 13, "kpath-sniff", "receive on a NIC a victim serves through "
	  "the kernel path, without its claim", kpath_sniff,
	  ATK_NO_ATTACH | ATK_KPATH, 0 },
	{ "13b", 13, "kpath-spoof", "send as a NIC a victim serves through the "
	  "kernel path, without its claim", kpath_spoof,
	  ATK_NO_ATTACH | ATK_KPATH, 0 },
	{ "13c", 13, "kpath-hijack", "attach a NIC a victim serves through the "
	  "kernel path", kpath_hijack, ATK_NO_ATTACH | ATK_KPATH, 0 },
	{ "14a", 14, "ram-exhaust", "mmap until refused; then another process "
	  "mmaps and attaches", ram_exhaust, ATK_NO_ATTACH | ATK_STARVE, 0 },
	{ "14b", 14, "pt-exhaust", "attach, map everything, goodbye, "
	  "2000 times: page tables left behind", pt_exhaust,
	  ATK_NO_ATTACH | ATK_PT_FLOOD, 0 },
	{ "15a", 15, "hostile-peer-netstack", "crafted TCP to a victim "
	  "memcached's lwIP: MSS 16 after a shut window, MSS 1 and 8, bad "
	  "options, fragments, IPv6", hostile_netstack,
	  ATK_NO_ATTACH | ATK_MEMCACHED, 0 },
	{ "15b", 15, "conn-flood", "open connections to a victim memcached "
	  "past its -c and hold them idle", conn_flood,
	  ATK_NO_ATTACH | ATK_MEMCACHED, 0 },
	{ "15c", 15, "set-flood", "begin large sets to a victim memcached on "
	  "several connections, never finish them", set_flood,
	  ATK_NO_ATTACH | ATK_MEMCACHED, 0 },
};
const size_t attack_count = sizeof attack_catalogue / sizeof attack_catalogue[0];
