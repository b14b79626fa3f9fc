/*
 * test_qtest.c — the qtest machine without QEMU: MMIO regions that come
 * and go (phys_remove_mmio), the PCI bus (configuration mechanism, BAR
 * sizing and decoding, INTx routing and disable, bus-master gating of the
 * 82574L's DMA), the qtest server's replies byte for byte and its bounds
 * on hostile input, and the udp: wire on loopback.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "check.h"
#include "board/q35.h"
#include "dev/e1000e.h"
#include "dev/e1000e_pci.h"
#include "machine/pci.h"
#include "machine/phys.h"
#include "net/wire.h"
#include "qtest/qtest.h"

#define BAR	0xE0000000u
#define CFG1	0x80000800u		/* bus 0, slot 1, function 0 */

/* ---- a register block for the phys tests ---------------------------- */

static uint64_t
zero_read(void *dev, uint64_t off, unsigned size)
{
	(void)dev;
	(void)size;
	return (off + 1);
}

static void
zero_write(void *dev, uint64_t off, uint64_t val, unsigned size)
{
	(void)dev;
	(void)off;
	(void)val;
	(void)size;
}

static const struct mmio_ops off_ops = { zero_read, zero_write, NULL };

static void
test_phys_remove(void)
{
	struct phys *p = phys_new();
	uint64_t v = 0;
	int i;

	CHECK(p != NULL);
	CHECK_EQ(phys_add_ram(p, 0, 0x10000), 0);
	CHECK_EQ(phys_remove_mmio(p, 0), -EINVAL);	/* RAM stays */
	CHECK_EQ(phys_remove_mmio(p, 0x40000000), -ENOENT);
	/* Far more moves than there are region slots: slots are reused. */
	for (i = 0; i < 4 * PHYS_MAX_REGIONS; i++) {
		uint64_t base = 0x40000000ull + (uint64_t)(i % 7) * 0x10000;

		CHECK_EQ(phys_add_mmio(p, base, 0x1000, "bar", &off_ops, NULL),
		    0);
		CHECK_EQ(phys_region_count(p), 2);
		CHECK_EQ(phys_bus_read(p, base + 8, 4, &v), 0);
		CHECK_EQ(v, 9);
		CHECK_EQ(phys_remove_mmio(p, base), 0);
		CHECK(phys_find(p, base) == NULL);
		CHECK_EQ(phys_bus_read(p, base + 8, 4, &v), -1);
	}
	CHECK_EQ(phys_region_count(p), 1);
	CHECK(phys_region_at(p, 0)->ram != NULL);
	phys_free(p);
}

/* ---- the machine and a server capturing its replies ------------------ */

struct rig {
	struct q35		*m;
	struct e1000e_pci	*nic[2];	/* the machine's */
	struct qtest		*qt;
	char			 out[1 << 16];
	size_t			 len;
};

static void
rig_out(void *arg, const char *buf, size_t len)
{
	struct rig *r = arg;

	if (len > sizeof(r->out) - 1 - r->len)
		len = sizeof(r->out) - 1 - r->len;
	memcpy(r->out + r->len, buf, len);
	r->len += len;
	r->out[r->len] = '\0';
}

static void
rig_irq(void *arg, unsigned irq, int level)
{
	struct rig *r = arg;

	qtest_set_irq(r->qt, irq, level);
}

/* The machine `capio qtest` builds: NNICS NICs, two on a pair wire. */
static struct rig *
rig_new(unsigned nnics)
{
	static const uint8_t mac[2][6] = {
		{ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
		{ 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 },
	};
	struct q35_desc d = { .ram_size = Q35_RAM_DEFAULT, .nnics = nnics };
	struct rig *r = calloc(1, sizeof(*r));
	char err[128];
	unsigned i;

	for (i = 0; i < nnics; i++) {
		memcpy(d.nic[i].mac, mac[i], 6);
		d.nic[i].wire = nnics == 2 ? "pair" : NULL;
	}
	if (r == NULL || (r->m = q35_new(&d, err, sizeof(err))) == NULL)
		abort();
	for (i = 0; i < nnics; i++)
		r->nic[i] = q35_nic(r->m, i);
	r->qt = qtest_new(q35_phys(r->m), q35_pci(r->m), rig_out, r);
	q35_set_irq_sink(r->m, rig_irq, r);
	qtest_set_clock(r->qt, q35_clock(r->m));
	return (r);
}

static void
rig_free(struct rig *r)
{
	qtest_free(r->qt);
	q35_free(r->m);
	free(r);
}

/* Descriptions q35_new refuses, each with its reason; a pair's wire is
 * the first NIC's. */
static void
test_q35_desc(void)
{
	struct q35_desc d = { .ram_size = Q35_RAM_MIN, .nnics = 2 };
	struct q35 *m;
	char err[128];

	d.nic[0].wire = d.nic[1].wire = "pair";
	CHECK_EQ(q35_check(&d, err, sizeof(err)), 0);
	d.ram_size = Q35_RAM_MIN - 4096;
	CHECK(q35_new(&d, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "RAM size") != NULL);
	d.ram_size = Q35_RAM_MAX + 4096;
	CHECK_EQ(q35_check(&d, err, sizeof(err)), -1);
	d.ram_size = Q35_RAM_MIN + 512;
	CHECK_EQ(q35_check(&d, err, sizeof(err)), -1);
	d.ram_size = Q35_RAM_MIN;
	d.nnics = Q35_MAX_NICS + 1;
	CHECK(q35_new(&d, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "at most") != NULL);
	d.nnics = 1;
	CHECK(q35_new(&d, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "wire=pair on NIC 0") != NULL);
	d.nic[0].wire = "udp:127.0.0.1:1";
	CHECK(q35_new(&d, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "udp") != NULL);

	d.nnics = 3;
	d.nic[0].wire = d.nic[1].wire = "pair";
	m = q35_new(&d, err, sizeof(err));
	CHECK(m != NULL);
	CHECK_EQ(q35_nnics(m), 3);
	CHECK(q35_wire(m, 0) != NULL && q35_wire(m, 1) == NULL &&
	    q35_wire(m, 2) == NULL);
	CHECK(q35_nic(m, 2) != NULL && q35_nic(m, 3) == NULL);
	CHECK_EQ(pci_func_slot(e1000e_pci_func(q35_nic(m, 2))), 3);
	q35_free(m);
}

/* Run the lines of CMDS; the replies, all of them, must be WANT. */
static void
expect(struct rig *r, const char *cmds, const char *want)
{
	r->len = 0;
	r->out[0] = '\0';
	qtest_input(r->qt, cmds, strlen(cmds));
	if (strcmp(r->out, want) != 0) {
		char m[1024];

		snprintf(m, sizeof(m), "after '%.300s' got '%.300s' want "
		    "'%.300s'", cmds, r->out, want);
		check_fail(__FILE__, __LINE__, m);
	}
	check_count++;
}

/* One command's reply (for values computed here). */
static const char *
ask(struct rig *r, const char *cmd)
{
	r->len = 0;
	r->out[0] = '\0';
	qtest_input(r->qt, cmd, strlen(cmd));
	qtest_input(r->qt, "\n", 1);
	return (r->out);
}

static void
test_replies(void)
{
	struct rig *r = rig_new(1);

	expect(r, "endianness\n", "OK little\n");
	expect(r, "outl 0xcf8 0x80000800\ninl 0xcfc\n",
	    "OK\nOK 0x10d38086\n");
	expect(r, "inw 0xcfe\ninb 0xcfc\n", "OK 0x10d3\nOK 0x0086\n");
	expect(r, "writel 0x1000 0x1ffffffff\nreadq 0x1000\n",
	    "OK\nOK 0x00000000ffffffff\n");
	expect(r, "writew 0x1000 -1\nreadb 0x1001\n",
	    "OK\nOK 0x00000000000000ff\n");
	expect(r, "write 0x2000 3 0x0a0b0c\nread 0x2000 4\n",
	    "OK\nOK 0x0a0b0c00\n");
	expect(r, "write 0x2000 2 0xzz1\nread 0x2000 2\n", "OK\nOK 0xff00\n");
	expect(r, "b64write 0x2000 3 AAEC\nb64read 0x2000 3\n"
	    "b64read 0x2000 0\n",
	    "OK\nOK AAEC\nOK \n");
	expect(r, "memset 0x2000 3 0x1ab\nread 0x2000 4\n",
	    "OK\nOK 0xababab00\n");
	expect(r, "write 0x2000 4 0x\n", "ERR invalid argument size\n");
	/* The end of RAM and the hole above it. */
	expect(r, "writel 0x7fffffe 0x11223344\nreadl 0x7fffffc\n",
	    "OK\nOK 0x0000000033440000\n");
	expect(r, "writel 0xc0000 1\nreadl 0xc0000\nreadq 0xfffffffffffffffc\n",
	    "OK\nOK 0x0000000000000000\nOK 0x0000000000000000\n");
	expect(r, "inl 0x1234\ninb 0x80\n", "OK 0xffffffff\nOK 0x00ff\n");
	/* Chunked input: a line split across calls runs once, whole. */
	qtest_input(r->qt, "inl 0x", 6);
	expect(r, "cfc\n", "OK 0x10d38086\n");
	expect(r, "foo bar\n READL\n\n", "FAIL Unknown command 'foo'\n"
	    "FAIL Unknown command ''\nFAIL Unknown command ''\n");
	expect(r, "module_load a b\n", "FAIL\n");
	expect(r, "clock_step\nclock_step 100\nclock_set 50\nclock_set 500\n",
	    "OK 0\nOK 100\nOK 100\nOK 500\n");
	CHECK_EQ(qtest_clock(r->qt), 500);
	rig_free(r);
}

static void
test_hostile_commands(void)
{
	struct rig *r = rig_new(1);
	struct qtest_counters c;
	size_t big = QTEST_LINE_MAX + 10, i;
	char *line;

	/* Where QEMU would abort, a FAIL line. */
	CHECK(strncmp(ask(r, "readl"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "readl 0x10z"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "readl  0x10"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "readl 18446744073709551616"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "outb 0x10000 1"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "inl -1"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "read 0x0 0"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "read 0x0 0x100001"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "write 0x0 0xffffffffffffffff 0x00"), "FAIL ", 5)
	    == 0);
	CHECK(strncmp(ask(r, "memset 0x0 0x40000001 0"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "write 0x0 4"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "set_irq_in ioapic named 1 1"), "FAIL ", 5) == 0);
	CHECK(strncmp(ask(r, "set_irq_in ioapic unnamed-gpio-in 24 1"),
	    "FAIL ", 5) == 0);
	CHECK(strcmp(ask(r, "irq_intercept_in /machine/ioapic"),
	    "FAIL Unknown device\n") == 0);
	/* A whole memset of the top of the address space: bounded. */
	CHECK(strcmp(ask(r, "memset 0xffffffffc0000000 0x40000000 1"),
	    "OK\n") == 0);
	/* A line over the limit is dropped whole, with one FAIL. */
	line = malloc(big);
	CHECK(line != NULL);
	if (line != NULL) {
		memset(line, 'x', big);
		r->len = 0;
		for (i = 0; i < big; i += 4096)
			qtest_input(r->qt, line + i, big - i < 4096 ? big - i :
			    4096);
		qtest_input(r->qt, "\nendianness\n", 12);
		CHECK(strncmp(r->out, "FAIL line longer", 16) == 0);
		CHECK(strstr(r->out, "\nOK little\n") != NULL);
		free(line);
	}
	/* NUL bytes, random junk: every line gets exactly one reply. */
	r->len = 0;
	qtest_input(r->qt, "rea\0d 0 1\n", 10);
	CHECK(strncmp(r->out, "FAIL NUL", 8) == 0);
	check_seed(8);
	for (i = 0; i < 2000; i++) {
		static const char alphabet[] =
		    " 0x1fqreadwritelbinoutmemset\t-";
		char junk[64];
		size_t n = check_rand() % sizeof(junk), k, lines = 0;
		const char *p;

		for (k = 0; k < n; k++) {
			junk[k] = alphabet[check_rand() % 31];
			if (check_rand() % 16 == 0)
				junk[k] = (char)check_rand();
			if (junk[k] == '\n')
				junk[k] = ' ';
		}
		r->len = 0;
		qtest_input(r->qt, junk, n);
		qtest_input(r->qt, "\n", 1);
		for (p = r->out; (p = strchr(p, '\n')) != NULL; p++)
			lines++;
		CHECK_EQ(lines, 1);
	}
	qtest_get_counters(r->qt, &c);
	CHECK(c.long_lines == 1 && c.failed > 2000 / 4);
	rig_free(r);
}

/* Configuration space through the ports, as firmware would see it. */
static uint32_t
cfg_read(struct rig *r, uint32_t addr)
{
	uint32_t v = 0;

	pci_io_write(q35_pci(r->m), 0xCF8, addr, 4);
	v = pci_io_read(q35_pci(r->m), 0xCFC, 4);
	return (v);
}

static void
cfg_write(struct rig *r, uint32_t addr, uint32_t val, unsigned size)
{
	pci_io_write(q35_pci(r->m), 0xCF8, addr & ~3u, 4);
	pci_io_write(q35_pci(r->m), (uint16_t)(0xCFC + (addr & 3)), val,
	    size);
}

static void
test_pci(void)
{
	struct rig *r = rig_new(1);
	struct pci_bus_counters bc;
	struct pci_func *f = e1000e_pci_func(r->nic[0]);
	uint64_t v;

	CHECK_EQ(cfg_read(r, 0x80000000), 0x29C08086);
	CHECK_EQ(cfg_read(r, CFG1), 0x10D38086);
	CHECK_EQ(cfg_read(r, CFG1 + 8), 0x02000000);
	CHECK_EQ(cfg_read(r, 0x80001000), 0xFFFFFFFF);	/* empty slot */
	CHECK_EQ(cfg_read(r, CFG1 + 0x100), 0xFFFFFFFF); /* function 1 */
	CHECK_EQ(cfg_read(r, 0x8000FA00), 0x29228086);	/* 1f.2 */
	CHECK_EQ(cfg_read(r, CFG1 & ~0x80000000u), 0xFFFFFFFF);
	CHECK_EQ(pci_io_read(q35_pci(r->m), 0xCF8, 4), CFG1 & ~0x80000000u);
	/* Sizing. */
	cfg_write(r, CFG1 + 0x10, 0xFFFFFFFF, 4);
	CHECK_EQ(cfg_read(r, CFG1 + 0x10), 0xFFFE0000);
	cfg_write(r, CFG1 + 0x18, 0xFFFFFFFF, 4);
	CHECK_EQ(cfg_read(r, CFG1 + 0x18), 0xFFFFFFE1);
	cfg_write(r, CFG1 + 0x1C, 0xFFFFFFFF, 4);
	CHECK_EQ(cfg_read(r, CFG1 + 0x1C), 0xFFFFC000);
	CHECK_EQ(cfg_read(r, CFG1 + 0x20), 0);
	/* Placed but not enabled: nothing at BAR; enabled: the NIC. */
	cfg_write(r, CFG1 + 0x10, BAR, 4);
	CHECK_EQ(pci_bar_addr(f, 0), PCI_BAR_UNMAPPED);
	CHECK_EQ(phys_bus_read(q35_phys(r->m), BAR + 8, 4, &v), -1);
	cfg_write(r, CFG1 + 4, 0x0002, 2);
	CHECK_EQ(pci_bar_addr(f, 0), BAR);
	CHECK_EQ(phys_bus_read(q35_phys(r->m), BAR + E1000E_RAL(0), 4, &v), 0);
	CHECK_EQ(v, 0x12005452);
	/* Moved, then put where RAM is: RAM wins, counted. */
	cfg_write(r, CFG1 + 0x10, BAR + 0x100000, 4);
	CHECK_EQ(pci_bar_addr(f, 0), BAR + 0x100000);
	CHECK_EQ(phys_bus_read(q35_phys(r->m), BAR + 8, 4, &v), -1);
	cfg_write(r, CFG1 + 0x10, 0x100000, 4);
	CHECK_EQ(pci_bar_addr(f, 0), PCI_BAR_UNMAPPED);
	pci_bus_get_counters(q35_pci(r->m), &bc);
	CHECK_EQ(bc.bar_conflicts, 1);
	cfg_write(r, CFG1 + 0x10, BAR, 4);
	CHECK_EQ(pci_bar_addr(f, 0), BAR);
	/* Read-only and write-1-to-clear bits. */
	cfg_write(r, CFG1, 0xFFFFFFFF, 4);
	CHECK_EQ(cfg_read(r, CFG1), 0x10D38086);
	cfg_write(r, CFG1 + 4, 0xFFFFFFFF, 4);
	CHECK_EQ(cfg_read(r, CFG1 + 4), 0x00100507);
	cfg_write(r, CFG1 + 4, 0x0002, 2);
	CHECK_EQ(cfg_read(r, CFG1 + 0x3C), 0x0100);
	cfg_write(r, CFG1 + 0x3C, 0xFFFFFFFF, 4);
	CHECK_EQ(cfg_read(r, CFG1 + 0x3C), 0x01FF);
	/* The capability chain. */
	CHECK_EQ(cfg_read(r, CFG1 + 0x34) & 0xFF, 0xC8);
	CHECK_EQ(cfg_read(r, CFG1 + 0xC8) & 0xFFFF, 0xD001);
	CHECK_EQ(cfg_read(r, CFG1 + 0xD0) & 0xFFFF, 0xE005);
	CHECK_EQ(cfg_read(r, CFG1 + 0xE0) & 0xFFFF, 0xA010);
	CHECK_EQ(cfg_read(r, CFG1 + 0xA0) & 0xFFFF, 0x0011);
	/* Bytes past the end of configuration space read 0. */
	pci_io_write(q35_pci(r->m), 0xCF8, CFG1 + 0xFC, 4);
	CHECK_EQ(pci_io_read(q35_pci(r->m), 0xCFE, 4), 0xFFFF0000);
	rig_free(r);
}

static void
test_intx(void)
{
	struct rig *r = rig_new(1);

	expect(r, "outl 0xcf8 0x80000810\noutl 0xcfc 0xe0000000\n"
	    "outl 0xcf8 0x80000804\noutw 0xcfc 0x0006\n",
	    "OK\nOK\nOK\nOK\n");
	/* Not intercepted yet: no IRQ lines. */
	expect(r, "writel 0xe00000d0 0x4\nwritel 0xe00000c8 0x4\n", "OK\nOK\n");
	expect(r, "readl 0xe00000c0\n", "OK 0x0000000080000004\n");
	expect(r, "irq_intercept_in ioapic\n", "OK\n");
	expect(r, "writel 0xe00000c8 0x4\n", "IRQ raise 21\nOK\n");
	expect(r, "inl 0xcfc\n", "OK 0x180006\n");
	/* Interrupt disable drops the line; STATUS.INTERRUPT stays. */
	expect(r, "outw 0xcfc 0x0406\ninl 0xcfc\n",
	    "IRQ lower 21\nOK\nOK 0x180406\n");
	expect(r, "outw 0xcfc 0x0006\n", "IRQ raise 21\nOK\n");
	expect(r, "readl 0xe00000c0\ninl 0xcfc\n",
	    "IRQ lower 21\nOK 0x0000000080000004\nOK 0x100006\n");
	expect(r, "irq_intercept_out ioapic\n", "OK\n");
	CHECK_EQ(q35_intx_irq(1), 21);
	CHECK_EQ(q35_intx_irq(4), 20);
	rig_free(r);
}

/* MSI-X through the PCI function: a message is a DMA write to RAM; a
 * masked vector (or the function mask) sets its pending bit, unmasking
 * sends it; with bus mastering off it faults and nothing lands. And the
 * clock: clock_step runs the NIC's timers (ITR here). */
static void
test_msix(void)
{
	struct rig *r = rig_new(1);

	expect(r, "outl 0xcf8 0x80000810\noutl 0xcfc 0xe0000000\n"
	    "outl 0xcf8 0x8000081c\noutl 0xcfc 0xe0040000\n"
	    "outl 0xcf8 0x80000804\noutw 0xcfc 0x0006\n",
	    "OK\nOK\nOK\nOK\nOK\nOK\n");
	/* Vector 0 at 0x300000, data 0x77; OTHER -> vector 0; MSI-X on. */
	expect(r, "writel 0xe0040000 0x300000\nwritel 0xe0040008 0x77\n"
	    "writel 0xe00000e4 0x80000\nwritel 0xe00000d0 0x1000004\n"
	    "outl 0xcf8 0x800008a0\noutw 0xcfe 0x8004\n",
	    "OK\nOK\nOK\nOK\nOK\nOK\n");
	/* Masked at reset: pending, no message. */
	expect(r, "irq_intercept_in ioapic\nwritel 0xe00000c8 0x4\n"
	    "readl 0x300000\nread 0xe0042000 8\n",
	    "OK\nOK\nOK 0x0000000000000000\nOK 0x0100000000000000\n");
	expect(r, "writel 0xe004000c 0\nreadl 0x300000\nread 0xe0042000 8\n",
	    "OK\nOK 0x0000000000000077\nOK 0x0000000000000000\n");
	/* Function mask, then a new cause: pending until the mask goes. */
	expect(r, "writel 0x300000 0\nwritel 0xe00000c0 0xffffffff\n"
	    "outw 0xcfe 0xc004\nwritel 0xe00000c8 0x4\nreadl 0x300000\n"
	    "outw 0xcfe 0x8004\nreadl 0x300000\n",
	    "OK\nOK\nOK\nOK\nOK 0x0000000000000000\nOK\n"
	    "OK 0x0000000000000077\n");
	/* Bus mastering off: the message faults. */
	expect(r, "writel 0x300000 0\nwritel 0xe00000c0 0xffffffff\n"
	    "outl 0xcf8 0x80000804\noutw 0xcfc 0x0002\n"
	    "writel 0xe00000c8 0x4\nreadl 0x300000\n",
	    "OK\nOK\nOK\nOK\nOK\nOK 0x0000000000000000\n");
	rig_free(r);
	/* ITR on INTx: the second interrupt waits for clock_step. */
	r = rig_new(1);
	expect(r, "outl 0xcf8 0x80000810\noutl 0xcfc 0xe0000000\n"
	    "outl 0xcf8 0x80000804\noutw 0xcfc 0x0006\n"
	    "irq_intercept_in ioapic\nwritel 0xe00000c4 1000\n"
	    "writel 0xe00000d0 0x4\nwritel 0xe00000c8 0x4\n",
	    "OK\nOK\nOK\nOK\nOK\nOK\nOK\nIRQ raise 21\nOK\n");
	expect(r, "readl 0xe00000c0\nwritel 0xe00000c8 0x4\n",
	    "IRQ lower 21\nOK 0x0000000080000004\nOK\n");
	expect(r, "clock_step 100000\nclock_step\n",
	    "OK 100000\nIRQ raise 21\nOK 256000\n");
	/* The interval that started with it is the next deadline. */
	expect(r, "clock_step\nclock_set 10\n", "OK 512000\nOK 512000\n");
	rig_free(r);
}

/* Two NICs on a pair wire: NIC 0 sends, NIC 1 receives, both programmed
 * through qtest; bus mastering off means no DMA at all. */
static void
test_dma_gate(void)
{
	struct rig *r = rig_new(2);
	struct e1000e_counters c0, c1;
	const char *setup =
	    "outl 0xcf8 0x80000810\noutl 0xcfc 0xe0000000\n"
	    "outl 0xcf8 0x80001010\noutl 0xcfc 0xe0100000\n"
	    "outl 0xcf8 0x80000804\noutw 0xcfc 0x0002\n"
	    "outl 0xcf8 0x80001004\noutw 0xcfc 0x0006\n"
	    "writel 0xe0000000 0x00140241\nwritel 0xe0100000 0x00140241\n"
	    /* NIC 1: one RX buffer. */
	    "writeq 0x200000 0x210000\nwriteq 0x200008 0\n"
	    "writel 0xe0102800 0x200000\nwritel 0xe0102808 128\n"
	    "writel 0xe0102818 1\nwritel 0xe0100100 0x04008002\n"
	    /* NIC 0: one 60-byte frame to NIC 1. */
	    "write 0x108000 14 0x52540012345752540012345688b5\n"
	    "writeq 0x100000 0x108000\nwriteq 0x100008 0x0b00003c\n"
	    "writel 0xe0003800 0x100000\nwritel 0xe0003808 128\n"
	    "writel 0xe0000400 0x0003f0fa\n";

	qtest_input(r->qt, setup, strlen(setup));
	/* NIC 0 without bus mastering: the doorbell's fetch faults. */
	expect(r, "writel 0xe0003818 1\nreadl 0xe0003810\nreadq 0x100008\n",
	    "OK\nOK 0x0000000000000000\nOK 0x000000000b00003c\n");
	e1000e_get_counters(e1000e_pci_dev(r->nic[0]), &c0);
	CHECK(c0.dma_faults >= 1 && c0.tx_frames == 0);
	/* Bus mastering on: the same doorbell sends; NIC 1 stores it. */
	expect(r, "outl 0xcf8 0x80000804\noutw 0xcfc 0x0006\n"
	    "writel 0xe0003818 0\nwritel 0xe0003818 1\nreadl 0xe0003810\n"
	    "readq 0x100008\nreadl 0xe0102810\nreadq 0x200008\n"
	    "read 0x210000 14\n",
	    "OK\nOK\nOK\nOK\nOK 0x0000000000000001\n"
	    "OK 0x000000010b00003c\nOK 0x0000000000000001\n"
	    "OK 0x000000030000003c\n"
	    "OK 0x52540012345752540012345688b5\n");
	e1000e_get_counters(e1000e_pci_dev(r->nic[1]), &c1);
	CHECK_EQ(c1.rx_frames, 1);
	rig_free(r);
}

/* ---- the udp: wire -------------------------------------------------- */

struct sink {
	struct netport	port;
	int		got;
	size_t		len;
	uint8_t		last[2048];
};

static bool
sink_deliver(void *arg, const uint8_t *f, size_t len)
{
	struct sink *s = arg;

	s->got++;
	s->len = len;
	memcpy(s->last, f, len < sizeof(s->last) ? len : sizeof(s->last));
	return (true);
}

static int
poll_until(struct wire *w, struct sink *s, int want)
{
	struct pollfd p = { wire_fd(w), POLLIN, 0 };
	int i;

	for (i = 0; i < 200 && s->got < want; i++) {
		(void)poll(&p, 1, 10);
		(void)wire_poll(w, 16);
	}
	return (s->got);
}

static void
test_udp_wire(void)
{
	struct sink a = { 0 }, b = { 0 };
	struct wire *wa = NULL, *wb = NULL;
	struct wire_stats st;
	struct sockaddr_in sa;
	uint8_t frame[1514];
	char spec[128], err[256];
	int port = 0, i, fd;

	a.port.deliver = sink_deliver;
	a.port.nic = &a;
	b.port.deliver = sink_deliver;
	b.port.nic = &b;
	/* Bad specs, one-line reasons. */
	CHECK(wire_open("udp", &a.port, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "udp:LOCAL,REMOTE") != NULL);
	CHECK(wire_open("udp:127.0.0.1:1", &a.port, NULL, err,
	    sizeof(err)) == NULL);
	CHECK(wire_open("udp:127.0.0.1,127.0.0.1:2", &a.port, NULL, err,
	    sizeof(err)) == NULL);
	CHECK(strstr(err, "no port") != NULL);
	CHECK(wire_open("udp:localhost:5,127.0.0.1:2", &a.port, NULL, err,
	    sizeof(err)) == NULL);
	CHECK(wire_open("udp:127.0.0.1:5,[::1]:2", &a.port, NULL, err,
	    sizeof(err)) == NULL);
	CHECK(wire_open("udp:127.0.0.1:99999,127.0.0.1:2", &a.port, NULL, err,
	    sizeof(err)) == NULL);
	/* Two ends on loopback; ports from our pid, retried if taken, below
	 * the kernel's ephemeral range and apart from e2e_qtest's. */
	for (i = 0; i < 20 && wb == NULL; i++) {
		port = 10000 + (int)((getpid() * 7 + i * 13) % 9998);
		snprintf(spec, sizeof(spec), "udp:127.0.0.1:%d,127.0.0.1:%d",
		    port, port + 1);
		wa = wire_open(spec, &a.port, NULL, err, sizeof(err));
		if (wa == NULL)
			continue;
		snprintf(spec, sizeof(spec), "udp:127.0.0.1:%d,127.0.0.1:%d",
		    port + 1, port);
		wb = wire_open(spec, &b.port, NULL, err, sizeof(err));
		if (wb == NULL) {
			(void)wire_close(wa);
			wa = NULL;
		}
	}
	CHECK(wa != NULL && wb != NULL);
	if (wa == NULL || wb == NULL)
		return;
	CHECK(a.port.carrier && b.port.carrier);
	for (i = 0; i < (int)sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	a.port.xmit(a.port.wire, frame, 60);
	a.port.xmit(a.port.wire, frame, sizeof(frame));
	CHECK_EQ(poll_until(wb, &b, 2), 2);
	CHECK_EQ(b.len, sizeof(frame));
	CHECK(memcmp(b.last, frame, sizeof(frame)) == 0);
	b.port.xmit(b.port.wire, frame, 100);
	CHECK_EQ(poll_until(wa, &a, 1), 1);
	CHECK_EQ(a.len, 100);
	/* Too short for a frame: never sent. */
	a.port.xmit(a.port.wire, frame, 10);
	/* A stranger's datagram, and an empty one from the peer's address
	 * (not possible from here: any other source will do): dropped. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)(port + 1));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(sendto(fd, frame, 64, 0, (struct sockaddr *)&sa, sizeof(sa)) ==
	    64);
	close(fd);
	a.port.xmit(a.port.wire, frame, 64);
	CHECK_EQ(poll_until(wb, &b, 3), 3);
	(void)poll_until(wb, &b, 4);
	CHECK_EQ(b.got, 3);
	wire_get_stats(wb, &st);
	CHECK_EQ(st.dir[WIRE_BA].frames, 3);
	CHECK_EQ(st.dir[WIRE_BA].dropped, 1);
	wire_get_stats(wa, &st);
	CHECK_EQ(st.dir[WIRE_AB].frames, 3);
	CHECK_EQ(st.dir[WIRE_AB].dropped, 1);
	CHECK(strncmp(wire_name(wa), "udp:127.0.0.1:", 14) == 0);
	CHECK_EQ(wire_close(wa), 0);
	CHECK_EQ(wire_close(wb), 0);
	CHECK(!a.port.carrier && a.port.xmit == NULL);
}

int
main(void)
{
	test_phys_remove();
	test_q35_desc();
	test_replies();
	test_hostile_commands();
	test_pci();
	test_intx();
	test_msix();
	test_dma_gate();
	test_udp_wire();
	return (check_done("test_qtest"));
}
