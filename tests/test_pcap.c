/*
 * test_pcap.c — the pcap recorder alone and on a pair wire: every frame
 * that crosses (60..1518 bytes, both ways) is in the file, in order and
 * bit-exact, read back with libpcap and, when installed, with tshark.
 */
#include <pcap/pcap.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"
#include "net/pcap_recorder.h"
#include "net/wire.h"

#define NFRAMES_MAX	4096

struct frame {
	size_t	 len;
	uint8_t	*data;
};

/* What should be in the file, in order. */
static struct frame expect[NFRAMES_MAX];
static int nexpect;
static char dir[64];

struct fake_nic {
	struct netport	port;
	bool		accept;
	uint64_t	got;
};

static bool
nic_deliver(void *arg, const uint8_t *f, size_t len)
{
	struct fake_nic *n = arg;

	(void)f;
	(void)len;
	n->got++;
	return (n->accept);
}

static void
nic_init(struct fake_nic *n)
{
	memset(n, 0, sizeof(*n));
	n->accept = true;
	n->port.deliver = nic_deliver;
	n->port.nic = n;
}

static void
fill_frame(uint8_t *f, size_t len, int from)
{
	static const uint8_t hdr[14] = {
		0x02, 0, 0, 0, 0, 0xbb, 0x02, 0, 0, 0, 0, 0xaa, 0x88, 0xb5 };
	size_t i;

	memcpy(f, hdr, sizeof(hdr));
	if (from == 1) {	/* b's frames go the other way */
		f[5] = 0xaa;
		f[11] = 0xbb;
	}
	for (i = sizeof(hdr); i < len; i++)
		f[i] = (uint8_t)check_rand();
}

/* Send one frame from port FROM and remember it if it should cross. */
static void
send_frame(struct fake_nic *from_nic, int from, size_t len, bool crosses)
{
	static uint8_t f[WIRE_FRAME_MAX + 1];
	uint8_t *copy;

	fill_frame(f, len < 14 ? 14 : len, from);
	from_nic->port.xmit(from_nic->port.wire, f, len);
	if (!crosses || nexpect == NFRAMES_MAX)
		return;
	copy = malloc(len);
	CHECK(copy != NULL);
	if (copy == NULL)
		return;
	memcpy(copy, f, len);
	expect[nexpect].len = len;
	expect[nexpect].data = copy;
	nexpect++;
}

static void
test_recorder_errors(void)
{
	struct pcap_recorder *rec;
	uint8_t f[64] = { 0 };
	char err[256], path[128];

	rec = pcap_recorder_open("/nonexistent-capio-dir/x.pcap", err,
	    sizeof(err));
	CHECK(rec == NULL);
	CHECK(strstr(err, "pcap: cannot write") != NULL);
	CHECK(strstr(err, "/nonexistent-capio-dir/x.pcap") != NULL);
	CHECK(strstr(err, "No such file or directory") != NULL);
	CHECK(pcap_recorder_open("", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "empty file name") != NULL);
	CHECK(pcap_recorder_open(NULL, err, sizeof(err)) == NULL);

	snprintf(path, sizeof(path), "%s/direct.pcap", dir);
	rec = pcap_recorder_open(path, err, sizeof(err));
	CHECK(rec != NULL);
	if (rec == NULL)
		return;
	CHECK_EQ(pcap_recorder_write(rec, f, 0), (uint64_t)-1);
	CHECK_EQ(pcap_recorder_write(rec, NULL, 60), (uint64_t)-1);
	CHECK_EQ(pcap_recorder_write(rec, f, 65536), (uint64_t)-1);
	CHECK_EQ(pcap_recorder_write(rec, f, 60), 0);
	CHECK_EQ(pcap_recorder_write(rec, f, 14), 0);
	CHECK_EQ(pcap_recorder_frames(rec), 2);
	CHECK_EQ(pcap_recorder_flush(rec), 0);
	CHECK_EQ(pcap_recorder_close(rec), 0);
	CHECK_EQ(pcap_recorder_close(NULL), 0);
	unlink(path);
}

/* A file that cannot take the frames: the loss is counted and reported. */
static void
test_recorder_full_disk(void)
{
	static uint8_t f[1518];
	struct fake_nic a, b;
	struct wire_stats st;
	struct wire *w;
	char err[256];
	int i;

	if (access("/dev/full", W_OK) != 0) {
		printf("test_pcap: no /dev/full, skipping the write-error"
		    " check\n");
		return;
	}
	nic_init(&a);
	nic_init(&b);
	w = wire_open("pair", &a.port, &b.port, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL)
		return;
	CHECK_EQ(wire_record(w, "/dev/full", err, sizeof(err)), 0);
	fill_frame(f, sizeof(f), 0);
	for (i = 0; i < 64; i++)
		a.port.xmit(a.port.wire, f, sizeof(f));
	wire_get_stats(w, &st);
	/* The wire itself is unaffected by its recorder's trouble. */
	CHECK_EQ(b.got, 64);
	CHECK_EQ(st.dir[WIRE_AB].frames, 64);
	CHECK(st.pcap_errors > 0);
	CHECK_EQ(st.pcap_frames + st.pcap_errors, 64);
	CHECK_EQ(wire_close(w), (uint64_t)-1);
}

static void
record_pair_run(const char *path, uint64_t *pcap_frames)
{
	struct fake_nic a, b;
	struct wire_stats st;
	struct wire *w;
	char err[256];
	size_t len;

	nic_init(&a);
	nic_init(&b);
	w = wire_open("pair", &a.port, &b.port, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL)
		return;
	CHECK_EQ(wire_record(w, path, err, sizeof(err)), 0);
	CHECK_EQ(wire_record(w, path, err, sizeof(err)), (uint64_t)-1);
	CHECK(strstr(err, "pair: already recording") != NULL);
	for (len = 60; len <= 1518; len++) {
		send_frame(&a, 0, len, true);
		send_frame(&b, 1, len, true);
	}
	/* Lost on the wire: not in the file. */
	send_frame(&a, 0, 13, false);
	send_frame(&b, 1, WIRE_FRAME_MAX + 1, false);
	/* Refused by the NIC: it did cross, so it is in the file. */
	b.accept = false;
	send_frame(&a, 0, 1518, true);
	/* Wire extremes. */
	b.accept = true;
	send_frame(&a, 0, WIRE_FRAME_MIN, true);
	send_frame(&b, 1, WIRE_FRAME_MAX, true);
	wire_get_stats(w, &st);
	CHECK_EQ(st.pcap_frames, (uint64_t)nexpect);
	CHECK_EQ(st.pcap_errors, 0);
	CHECK_EQ(st.dir[WIRE_AB].frames + st.dir[WIRE_BA].frames,
	    (uint64_t)nexpect);
	CHECK_EQ(st.dir[WIRE_AB].refused, 1);
	*pcap_frames = st.pcap_frames;
	CHECK_EQ(wire_close(w), 0);
}

static void
check_with_libpcap(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct timeval last = { 0, 0 };
	pcap_t *p;
	int i = 0, rc, bad = 0, backwards = 0;

	p = pcap_open_offline(path, errbuf);
	CHECK(p != NULL);
	if (p == NULL) {
		fprintf(stderr, "%s\n", errbuf);
		return;
	}
	CHECK_EQ(pcap_datalink(p), DLT_EN10MB);
	CHECK(pcap_snapshot(p) >= WIRE_FRAME_MAX);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		if (i >= nexpect || h->caplen != h->len ||
		    h->len != expect[i].len ||
		    memcmp(data, expect[i].data, expect[i].len) != 0)
			bad++;
		if (timercmp(&h->ts, &last, <))
			backwards++;
		last = h->ts;
		i++;
	}
	CHECK_EQ(rc, PCAP_ERROR_BREAK);
	CHECK_EQ(i, nexpect);
	CHECK_EQ(bad, 0);
	CHECK_EQ(backwards, 0);
	CHECK(last.tv_sec > 0);
	pcap_close(p);
}

static bool
have_tshark(void)
{
	return (system("command -v tshark >/dev/null 2>&1") == 0);
}

/* tshark's own view: frame and Ethernet fields per frame. */
static void
check_tshark_fields(const char *path)
{
	char cmd[512], line[256], want[256];
	FILE *fp;
	int i = 0, bad = 0;

	snprintf(cmd, sizeof(cmd), "tshark -r '%s' -T fields -e frame.len"
	    " -e frame.cap_len -e eth.dst -e eth.src 2>/dev/null", path);
	fp = popen(cmd, "r");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (i < nexpect) {
			const uint8_t *d = expect[i].data;

			snprintf(want, sizeof(want), "%zu\t%zu\t02:00:00:00:00:"
			    "%02x\t02:00:00:00:00:%02x\n", expect[i].len,
			    expect[i].len, d[5], d[11]);
			if (strcmp(line, want) != 0) {
				if (bad == 0)
					fprintf(stderr, "tshark frame %d: %s"
					    "want %s", i + 1, line, want);
				bad++;
			}
		}
		i++;
	}
	CHECK_EQ(pclose(fp), 0);
	CHECK_EQ(i, nexpect);
	CHECK_EQ(bad, 0);
	printf("test_pcap: tshark -T fields: %d frames, %d differ\n", i, bad);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* tshark's hex dump ("-x"): every byte of every frame. Lines look like
 * "0010  10 11 ... 1f   ascii"; an offset of 0000 starts a frame. */
static void
check_tshark_bytes(const char *path)
{
	static uint8_t got[WIRE_FRAME_MAX + 16];
	char cmd[512], line[256];
	FILE *fp;
	size_t n = 0, off, col;
	int i = -1, bad = 0, hi, lo, k;

	snprintf(cmd, sizeof(cmd), "tshark -r '%s' -x 2>/dev/null", path);
	fp = popen(cmd, "r");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strlen(line) < 8 || line[4] != ' ' || line[5] != ' ')
			continue;
		for (k = 0, off = 0; k < 4; k++) {
			if (hexval(line[k]) < 0)
				break;
			off = off * 16 + (size_t)hexval(line[k]);
		}
		if (k < 4)
			continue;
		if (off == 0) {
			if (i >= 0 && (i >= nexpect || n != expect[i].len ||
			    memcmp(got, expect[i].data, n) != 0))
				bad++;
			i++;
			n = 0;
		}
		if (off != n || n + 16 > sizeof(got)) {
			bad++;
			continue;
		}
		for (k = 0; k < 16; k++) {
			col = 6 + 3 * (size_t)k;
			if (col + 1 >= strlen(line))
				break;
			hi = hexval(line[col]);
			lo = hexval(line[col + 1]);
			if (hi < 0 || lo < 0)
				break;
			got[n++] = (uint8_t)(hi * 16 + lo);
		}
	}
	if (i >= 0 && (i >= nexpect || n != expect[i].len ||
	    memcmp(got, expect[i].data, n) != 0))
		bad++;
	CHECK_EQ(pclose(fp), 0);
	CHECK_EQ(i + 1, nexpect);
	CHECK_EQ(bad, 0);
	printf("test_pcap: tshark -x: %d frames, %d differ\n", i + 1, bad);
}

int
main(void)
{
	char path[128];
	uint64_t recorded = 0;
	int i;

	check_seed(0x70636170);
	snprintf(dir, sizeof(dir), "/tmp/capio-pcap-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	test_recorder_errors();
	test_recorder_full_disk();

	snprintf(path, sizeof(path), "%s/pair.pcap", dir);
	record_pair_run(path, &recorded);
	CHECK_EQ(nexpect, 2 * (1518 - 60 + 1) + 3);
	CHECK_EQ(recorded, (uint64_t)nexpect);
	check_with_libpcap(path);
	if (have_tshark()) {
		check_tshark_fields(path);
		check_tshark_bytes(path);
	} else {
		check_skip("tshark not found: the tshark read-back did not "
		    "run (sh make.sh test installs it)");
	}
	unlink(path);
	rmdir(dir);
	for (i = 0; i < nexpect; i++)
		free(expect[i].data);
	return (check_done("test_pcap"));
}
