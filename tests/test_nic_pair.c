/*
 * test_nic_pair.c — two e1000e NICs on a pair wire, driven by the
 * user-level driver: one frame of every length 60..1518 each way arrives
 * bit-exact on the other NIC, and the pcap of the run, read back with
 * libpcap and (when installed) tshark, holds the same frames in order.
 *
 * What the wire carries, and so what the pcap holds: the frame as the
 * transmitting NIC hands it over, without FCS (the NIC's IFCS only
 * matters on a real cable; the receiver is set to strip CRC, SECRC), so
 * caplen == len == the frame's length. Frames under 60 bytes are padded
 * with zeros to 60 by the sender (the stub sets TCTL.PSP), so they cross,
 * are recorded and are received as 60-byte frames; a few short ones at
 * the end check that.
 */
#include <pcap/pcap.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "board/board.h"
#include "dev/e1000e.h"
#include "kernel/kernel.h"
#include "net/wire.h"
#include "user/e1000e_driver.h"

#define LEN_MIN		60
#define LEN_MAX		1518
#define NLENS		(LEN_MAX - LEN_MIN + 1)
#define NSHORT		3
#define NFRAMES		(2 * NLENS + NSHORT)
#define BURST		32

static const uint16_t short_lens[NSHORT] = { 14, 42, 59 };

struct frame {
	int from;		/* sending NIC */
	uint16_t sent;		/* bytes given to the driver */
	uint16_t len;		/* bytes on the wire and received */
	uint8_t data[LEN_MAX];	/* sent bytes, then the zero padding */
};

/* Every frame, in the order it crosses the wire. */
static struct frame expect[NFRAMES];
static int nexpect;

struct run {
	int open[2];
	bool link[2];
	uint8_t mac[2][6];
	int sent, received, exact, stray;
	int first_bad;		/* index of the first frame that differed */
	struct udrv_stats st[2];
};

/* Even lengths go to the peer's MAC (unicast filter), odd ones to
 * broadcast (RCTL.BAM); EtherType 0x88b5 (local experimental). */
static void
plan(struct run *r, int from, uint16_t sent)
{
	struct frame *f = &expect[nexpect++];

	f->from = from;
	f->sent = sent;
	f->len = sent < LEN_MIN ? LEN_MIN : sent;
	memset(f->data, 0, sizeof f->data);
	if (sent % 2 == 0)
		memcpy(f->data, r->mac[1 - from], 6);
	else
		memset(f->data, 0xff, 6);
	memcpy(f->data + 6, r->mac[from], 6);
	f->data[12] = 0x88;
	f->data[13] = 0xb5;
	for (unsigned i = 14; i < sent; i++)
		f->data[i] = (uint8_t)check_rand();
}

static void
pump(void *arg)
{
	struct run *r = arg;
	static struct udrv nic[2];
	static uint8_t rxbuf[BURST][2048];
	struct udrv_frame f[BURST];
	int tx = 0, rx = 0;

	r->open[0] = udrv_open(&nic[0], 0);
	r->open[1] = udrv_open(&nic[1], 1);
	if (r->open[0] != 0 || r->open[1] != 0)
		return;
	for (int i = 0; i < 2; i++) {
		r->link[i] = udrv_link_up(&nic[i]);
		memcpy(r->mac[i], nic[i].mac, 6);
	}
	for (int from = 0; from < 2; from++)
		for (unsigned len = LEN_MIN; len <= LEN_MAX; len++)
			plan(r, from, (uint16_t)len);
	for (int i = 0; i < NSHORT; i++)
		plan(r, 0, short_lens[i]);

	r->first_bad = -1;
	while (rx < nexpect) {
		int from = expect[rx].from, n = 0, q = 0, got;

		/* A burst from one sender; the direction changes only once
		 * everything sent before has been received. */
		while (n < BURST && tx + n < nexpect &&
		    expect[tx + n].from == from) {
			f[n] = (struct udrv_frame){ .data = expect[tx + n].data,
			    .len = expect[tx + n].sent };
			n++;
		}
		if (n > 0)
			q = udrv_tx_burst(&nic[from], f, n);
		tx += q;
		r->sent += q;
		for (int i = 0; i < BURST; i++)
			f[i] = (struct udrv_frame){ .data = rxbuf[i],
			    .size = sizeof rxbuf[i] };
		got = udrv_rx_burst(&nic[1 - from], f, BURST);
		for (int i = 0; i < got && rx < nexpect; i++, rx++) {
			if (f[i].len == expect[rx].len &&
			    memcmp(f[i].data, expect[rx].data, f[i].len) == 0)
				r->exact++;
			else if (r->first_bad < 0)
				r->first_bad = rx;
		}
		r->received += got;
		/* Nothing comes back to the sender on a pair. */
		r->stray += udrv_rx_burst(&nic[from], f, BURST);
		if (q == 0 && got == 0)
			break;	/* nothing moves: fail rather than spin */
	}
	r->st[0] = nic[0].st;
	r->st[1] = nic[1].st;
}

/* Frames and wire bytes sent by NIC FROM. */
static void
sent_by(int from, uint64_t *frames, uint64_t *bytes)
{
	*frames = *bytes = 0;
	for (int i = 0; i < nexpect; i++)
		if (expect[i].from == from) {
			(*frames)++;
			*bytes += expect[i].len;
		}
}

static void
check_counters(struct kernel *k, const struct run *r)
{
	struct e1000e_counters c;
	struct wire_stats ws;
	uint64_t frames[2], bytes[2];

	sent_by(0, &frames[0], &bytes[0]);
	sent_by(1, &frames[1], &bytes[1]);
	CHECK_EQ(frames[0], NLENS + NSHORT);
	CHECK_EQ(frames[1], NLENS);
	for (int i = 0; i < 2; i++) {
		int peer = 1 - i;

		e1000e_get_counters(board_nic(kernel_board(k), i), &c);
		CHECK_EQ(c.tx_frames, frames[i]);
		CHECK_EQ(c.tx_bytes, bytes[i]);
		CHECK_EQ(c.rx_frames, frames[peer]);
		CHECK_EQ(c.rx_bytes, bytes[peer]);
		CHECK_EQ(c.tx_no_wire + c.tx_malformed, 0);
		CHECK_EQ(c.rx_filtered + c.rx_disabled + c.rx_bad_length, 0);
		CHECK_EQ(c.rx_no_buffer + c.rx_truncated, 0);
		CHECK_EQ(c.dma_faults + c.ring_errors + c.bad_mmio, 0);
		CHECK_EQ(r->st[i].tx_frames, frames[i]);
		CHECK_EQ(r->st[i].rx_frames, frames[peer]);
		CHECK_EQ(r->st[i].rx_dropped, 0);
	}
	wire_get_stats(board_wire(kernel_board(k)), &ws);
	CHECK_EQ(ws.dir[WIRE_AB].frames, frames[0]);
	CHECK_EQ(ws.dir[WIRE_AB].bytes, bytes[0]);
	CHECK_EQ(ws.dir[WIRE_BA].frames, frames[1]);
	CHECK_EQ(ws.dir[WIRE_BA].bytes, bytes[1]);
	for (int d = 0; d < 2; d++) {
		CHECK_EQ(ws.dir[d].refused, 0);
		CHECK_EQ(ws.dir[d].dropped, 0);
		CHECK_EQ(ws.dir[d].errors, 0);
	}
	CHECK_EQ(ws.pcap_frames, NFRAMES);
	CHECK_EQ(ws.pcap_errors, 0);
}

static void
check_libpcap(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int n = 0, bad = 0, rc;

	p = pcap_open_offline(path, errbuf);
	CHECK(p != NULL);
	if (p == NULL) {
		fprintf(stderr, "test_nic_pair: %s\n", errbuf);
		return;
	}
	CHECK_EQ(pcap_datalink(p), DLT_EN10MB);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		if (n >= nexpect || h->caplen != h->len ||
		    h->len != expect[n].len ||
		    memcmp(data, expect[n].data, h->caplen) != 0) {
			if (bad == 0)
				fprintf(stderr, "test_nic_pair: pcap frame %d"
				    " (%u bytes) differs\n", n + 1, h->len);
			bad++;
		}
		n++;
	}
	CHECK_EQ(rc, PCAP_ERROR_BREAK);
	CHECK_EQ(n, nexpect);
	CHECK_EQ(bad, 0);
	printf("test_nic_pair: libpcap: %d frames, %d differ\n", n, bad);
	pcap_close(p);
}

static void
mac_str(char *s, const uint8_t *m)
{
	sprintf(s, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
	    m[4], m[5]);
}

/* tshark's dissection: length, captured length, addresses, type. */
static void
check_tshark_fields(const char *path)
{
	char cmd[512], line[256], want[256] = "", dst[18], src[18];
	FILE *fp;
	int n = 0, bad = 0;

	snprintf(cmd, sizeof cmd, "tshark -r '%s' -T fields -e frame.len"
	    " -e frame.cap_len -e eth.dst -e eth.src -e eth.type 2>/dev/null",
	    path);
	fp = popen(cmd, "r");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	while (fgets(line, sizeof line, fp) != NULL) {
		if (n < nexpect) {
			mac_str(dst, expect[n].data);
			mac_str(src, expect[n].data + 6);
			snprintf(want, sizeof want, "%u\t%u\t%s\t%s\t0x88b5\n",
			    expect[n].len, expect[n].len, dst, src);
		}
		if (n >= nexpect || strcmp(line, want) != 0) {
			if (bad == 0)
				fprintf(stderr, "test_nic_pair: tshark frame"
				    " %d: %s", n + 1, line);
			bad++;
		}
		n++;
	}
	CHECK_EQ(pclose(fp), 0);
	CHECK_EQ(n, nexpect);
	CHECK_EQ(bad, 0);
	printf("test_nic_pair: tshark -T fields: %d frames, %d differ\n", n,
	    bad);
}

static int
hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* Does frame N, as tshark dumped it into GOT, match? */
static bool
dumped_ok(int n, const uint8_t *got, size_t len)
{
	return (n < nexpect && len == expect[n].len &&
	    memcmp(got, expect[n].data, len) == 0);
}

/*
 * tshark's hex dump (-x), every byte of every frame. A frame is a run of
 * lines "OOOO  hh hh ... hh   ascii" (offset, up to 16 bytes) starting at
 * offset 0000; anything else is skipped.
 */
static void
check_tshark_bytes(const char *path)
{
	static uint8_t got[LEN_MAX + 16];
	char cmd[512], line[256];
	FILE *fp;
	size_t len = 0;
	int n = -1, bad = 0;

	snprintf(cmd, sizeof cmd, "tshark -r '%s' -x 2>/dev/null", path);
	fp = popen(cmd, "r");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	while (fgets(line, sizeof line, fp) != NULL) {
		size_t off = 0, ll = strlen(line);
		int k;

		if (ll < 8 || line[4] != ' ' || line[5] != ' ')
			continue;
		for (k = 0; k < 4 && hexdigit(line[k]) >= 0; k++)
			off = off * 16 + (size_t)hexdigit(line[k]);
		if (k < 4)
			continue;
		if (off == 0) {
			if (n >= 0 && !dumped_ok(n, got, len))
				bad++;
			n++;
			len = 0;
		}
		if (n < 0 || off != len || len + 16 > sizeof got) {
			bad++;
			continue;
		}
		for (k = 0; k < 16; k++) {
			size_t col = 6 + 3 * (size_t)k;
			int hi, lo;

			if (col + 2 >= ll || (k > 0 && line[col - 1] != ' '))
				break;
			hi = hexdigit(line[col]);
			lo = hexdigit(line[col + 1]);
			if (hi < 0 || lo < 0 || line[col + 2] != ' ')
				break;
			got[len++] = (uint8_t)(hi * 16 + lo);
		}
	}
	if (n >= 0 && !dumped_ok(n, got, len))
		bad++;
	CHECK_EQ(pclose(fp), 0);
	CHECK_EQ(n + 1, nexpect);
	CHECK_EQ(bad, 0);
	printf("test_nic_pair: tshark -x: %d frames, %d differ\n", n + 1,
	    bad);
}

int
main(void)
{
	struct board_desc bd;
	struct kernel_opts o;
	struct kernel *k;
	struct proc_info pi;
	struct run r;
	char path[] = "/tmp/capio-nicpair-XXXXXX.pcap", err[256];
	int fd, pid;

	check_seed(0x6e696370);
	fd = mkstemps(path, 5);
	if (fd < 0) {
		perror("mkstemps");
		return (1);
	}
	close(fd);
	board_desc_default(&bd);	/* two NICs on a pair wire */
	bd.pcap = path;
	kernel_opts_default(&o);
	k = kernel_boot(board_new(&bd, err, sizeof err), &o, err, sizeof err);
	CHECK(k != NULL);
	if (k == NULL) {
		fprintf(stderr, "test_nic_pair: %s\n", err);
		unlink(path);
		return (check_done("test_nic_pair"));
	}
	memset(&r, 0, sizeof r);
	pid = kernel_spawn(k, "pair", pump, &r);
	CHECK(pid > 0);
	kernel_run(k, 0);
	CHECK_EQ(kernel_proc_info(k, pid, &pi), 0);
	CHECK(pi.state == PROC_EXITED);
	CHECK_EQ(r.open[0], 0);
	CHECK_EQ(r.open[1], 0);
	CHECK(r.link[0] && r.link[1]);
	CHECK(memcmp(r.mac[0], r.mac[1], 6) != 0);
	CHECK_EQ(nexpect, NFRAMES);
	CHECK_EQ(r.sent, NFRAMES);
	CHECK_EQ(r.received, NFRAMES);
	CHECK_EQ(r.exact, NFRAMES);
	if (r.first_bad >= 0)
		fprintf(stderr, "test_nic_pair: frame %d (%u bytes) received"
		    " differently\n", r.first_bad + 1, expect[r.first_bad].len);
	CHECK_EQ(r.stray, 0);
	check_counters(k, &r);
	kernel_halt(k);	/* closes the wire: the pcap is complete */

	check_libpcap(path);
	if (access("/usr/bin/tshark", X_OK) == 0) {
		check_tshark_fields(path);
		check_tshark_bytes(path);
	} else
		printf("tshark not installed: skipped that part\n");
	unlink(path);
	return (check_done("test_nic_pair"));
}
