/*
 * fuzz_qtest.c — libFuzzer target for the qtest server and the machine
 * behind it (PCI configuration mechanism, BAR decoding, the 82574L, the
 * NVMe controller's PCI function). Each input is command text fed, in
 * pieces of the sizes its first bytes say, to a fresh q35-shaped machine
 * with one NIC (slot 1) and one NVMe controller with a 64 KiB RAM
 * namespace (slot 2).
 *
 * Oracles: every complete input line gets exactly one reply line (plus
 * any number of IRQ lines), and every output line starts with "OK",
 * "FAIL", "ERR" or "IRQ". ASan/UBSan catch the rest. Work per input is
 * bounded by the server's own limits and MAX_INPUT.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board/q35.h"
#include "qtest/qtest.h"

#define MAX_INPUT	8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	size_t	 replies, irqs;
	bool	 bad;
	char	 head[4];
	size_t	 nhead;
};

static bool
line_ok(const char *h, size_t n)
{
	return ((n >= 2 && memcmp(h, "OK", 2) == 0) ||
	    (n >= 3 && memcmp(h, "ERR", 3) == 0) ||
	    (n >= 3 && memcmp(h, "IRQ", 3) == 0) ||
	    (n >= 4 && memcmp(h, "FAIL", 4) == 0));
}

static void
out_fn(void *arg, const char *buf, size_t len)
{
	struct out *o = arg;
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n') {
			if (o->nhead < sizeof(o->head))
				o->head[o->nhead++] = buf[i];
			continue;
		}
		if (!line_ok(o->head, o->nhead))
			o->bad = true;
		if (o->nhead >= 3 && memcmp(o->head, "IRQ", 3) == 0)
			o->irqs++;
		else
			o->replies++;
		o->nhead = 0;
	}
}

static void
sink(void *arg, unsigned irq, int level)
{
	qtest_set_irq(arg, irq, level);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct q35_desc d = { .ram_size = Q35_RAM_MIN,
	    .nnics = 1, .nic = { { .mac = { 0x52, 0x54, 0x00, 0x12, 0x34,
	    0x56 } } }, .nnvmes = 1, .nvme = { { "fuzz", NULL, 64 << 10 } } };
	struct out o = { 0 };
	struct q35 *m;
	struct qtest *q;
	char err[128];
	size_t lines = 0, i, off, n, chunk;

	if (size < 1 || size > MAX_INPUT)
		return (0);
	chunk = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	if ((m = q35_new(&d, err, sizeof(err))) == NULL)
		abort();
	if ((q = qtest_new(q35_phys(m), q35_pci(m), out_fn, &o)) == NULL)
		abort();
	q35_set_irq_sink(m, sink, q);
	qtest_set_clock(q, q35_clock(m));
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		qtest_input(q, (const char *)data + off, n);
	}
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	if (o.bad || o.replies != lines || o.nhead != 0)
		abort();
	qtest_free(q);
	q35_free(m);
	return (0);
}
