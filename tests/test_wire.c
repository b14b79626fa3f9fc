/*
 * test_wire.c — wire specs and the pair wire, driven through fake
 * netports: every frame size 60..1518 arrives bit-exact both ways, the
 * counters add up, bad sizes and bad specs are refused, and a NIC that
 * transmits from inside its receive never makes the stack grow.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "net/wire.h"

struct fake_nic {
	struct netport	port;
	bool		accept;
	int		reflect;	/* echo this many frames back */
	int		burst;		/* on the first frame, send this many */
	struct wire	*poll_wire;	/* call wire_poll from inside deliver */
	int		poll_ret;
	int		depth, max_depth;
	uint64_t	got;
	size_t		last_len;
	uint8_t		last[WIRE_FRAME_MAX];
	uint32_t	seq[256];	/* sequence numbers seen, in order */
	int		nseq;
};

static uint8_t scratch[WIRE_FRAME_MAX];

static void
nic_xmit(struct fake_nic *n, const uint8_t *f, size_t len)
{
	/* What a NIC model does: transmit through whatever wire is on. */
	if (n->port.xmit != NULL)
		n->port.xmit(n->port.wire, f, len);
}

static void
put_seq(uint8_t *f, uint32_t s)
{
	memcpy(f + 14, &s, sizeof(s));
}

static bool
nic_deliver(void *arg, const uint8_t *f, size_t len)
{
	struct fake_nic *n = arg;
	uint8_t copy[128];
	uint32_t s;
	int i;

	n->depth++;
	if (n->depth > n->max_depth)
		n->max_depth = n->depth;
	n->got++;
	n->last_len = len;
	memcpy(n->last, f, len);
	if (len >= 18 && n->nseq < 256) {
		memcpy(&s, f + 14, sizeof(s));
		n->seq[n->nseq++] = s;
	}
	if (n->reflect > 0) {
		n->reflect--;
		/* Transmit from inside deliver: the wire must not recurse. */
		nic_xmit(n, f, len);
	}
	if (n->burst > 0) {
		memset(copy, 0xab, sizeof(copy));
		for (i = 0; i < n->burst; i++) {
			put_seq(copy, (uint32_t)i);
			nic_xmit(n, copy, 64);
		}
		n->burst = 0;
	}
	if (n->poll_wire != NULL)
		n->poll_ret = wire_poll(n->poll_wire, 8);
	n->depth--;
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
fill_frame(uint8_t *f, size_t len)
{
	static const uint8_t hdr[14] = {
		0x02, 0, 0, 0, 0, 0xbb, 0x02, 0, 0, 0, 0, 0xaa, 0x88, 0xb5 };
	size_t i;

	memcpy(f, hdr, len < sizeof(hdr) ? len : sizeof(hdr));
	for (i = sizeof(hdr); i < len; i++)
		f[i] = (uint8_t)check_rand();
}

static void
expect_error(const char *spec, struct netport *a, struct netport *b,
    const char *want)
{
	char err[256];
	struct wire *w;

	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	w = wire_open(spec, a, b, err, sizeof(err));
	CHECK(w == NULL);
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "spec '%s': got \"%s\", want \"%s\"\n",
		    spec ? spec : "(null)", err, want);
		CHECK(!"error message");
	}
	CHECK(strchr(err, '\n') == NULL);
	wire_close(w);
}

static void
test_bad_specs(void)
{
	struct fake_nic a, b;

	nic_init(&a);
	nic_init(&b);
	expect_error("x", &a.port, &b.port,
	    "unknown wire 'x' (expected pair, tap:IFNAME or udp:LOCAL,REMOTE)");
	expect_error("", &a.port, &b.port, "unknown wire ''");
	expect_error(NULL, &a.port, &b.port, "unknown wire");
	expect_error("pairs", &a.port, &b.port, "unknown wire 'pairs'");
	expect_error("PAIR", &a.port, &b.port, "unknown wire 'PAIR'");
	expect_error("tapx", &a.port, NULL, "unknown wire 'tapx'");
	expect_error("pair:x", &a.port, &b.port,
	    "pair:x: pair takes no argument");
	expect_error("pair", &a.port, NULL, "pair: needs two ports");
	expect_error("pair", NULL, &b.port, "pair: needs two ports");
	expect_error("pair", &a.port, &a.port,
	    "pair: cannot join a port to itself");
	expect_error("tap", &a.port, NULL,
	    "tap: missing interface name (expected tap:IFNAME)");
	expect_error("tap:", &a.port, NULL, "tap:: missing interface name");
	expect_error("tap:capio0", &a.port, &b.port,
	    "tap:capio0: joins one port to the host, got two");
	expect_error("tap:capio0", NULL, NULL, "tap:capio0: needs a port");
	expect_error("tap:0123456789abcdef", &a.port, NULL,
	    "bad interface name");
	expect_error("tap:a/b", &a.port, NULL, "bad interface name");
	expect_error("tap:a b", &a.port, NULL, "bad interface name");
	expect_error("tap:a:b", &a.port, NULL, "bad interface name");
	expect_error("tap:..", &a.port, NULL, "bad interface name");
	expect_error("tap:a%s", &a.port, NULL, "bad interface name");
	expect_error("tap:a%d%d", &a.port, NULL, "bad interface name");
	expect_error("tap:a%", &a.port, NULL, "bad interface name");
	expect_error("tap:a\tb", &a.port, NULL, "bad interface name");
	/* A failed open leaves the ports as they were. */
	CHECK(a.port.xmit == NULL && a.port.wire == NULL && !a.port.carrier);
	CHECK(b.port.xmit == NULL && b.port.wire == NULL && !b.port.carrier);
	/* Tiny and absent error buffers are fine. */
	{
		char small[8];

		CHECK(wire_open("nope", &a.port, &b.port, small,
		    sizeof(small)) == NULL);
		CHECK(strlen(small) == sizeof(small) - 1);
		CHECK(wire_open("nope", &a.port, &b.port, NULL, 0) == NULL);
	}
}

static void
test_attach_detach(void)
{
	struct fake_nic a, b, c;
	struct wire *w;
	char err[256];

	nic_init(&a);
	nic_init(&b);
	nic_init(&c);
	w = wire_open("pair", &a.port, &b.port, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL)
		return;
	CHECK(a.port.carrier && b.port.carrier);
	CHECK(a.port.xmit != NULL && b.port.xmit != NULL);
	CHECK(a.port.wire != NULL && a.port.wire != b.port.wire);
	CHECK(strcmp(wire_name(w), "pair") == 0);
	CHECK(wire_fd(w) == -1);
	CHECK_EQ(wire_poll(w, 16), 0);
	/* A port already on a wire cannot join a second one. */
	expect_error("pair", &c.port, &b.port,
	    "pair: port b is already on a wire");
	expect_error("pair", &a.port, &c.port,
	    "pair: port a is already on a wire");
	CHECK(c.port.xmit == NULL && !c.port.carrier);
	CHECK_EQ(wire_close(w), 0);
	CHECK(!a.port.carrier && !b.port.carrier);
	CHECK(a.port.xmit == NULL && a.port.wire == NULL);
	CHECK(b.port.xmit == NULL && b.port.wire == NULL);
	/* An unplugged port loses frames without harm. */
	fill_frame(scratch, 60);
	nic_xmit(&a, scratch, 60);
	CHECK_EQ(b.got, 0);
	/* Ports are free again. */
	w = wire_open("pair", &b.port, &c.port, err, sizeof(err));
	CHECK(w != NULL);
	CHECK_EQ(wire_close(w), 0);
	CHECK_EQ(wire_close(NULL), 0);
}

/* Every size 60..1518, random payload, both ways, bit-exact. */
static void
test_pair_all_sizes(void)
{
	static uint8_t f[WIRE_FRAME_MAX];
	struct fake_nic a, b;
	struct wire_stats st;
	struct wire *w;
	char err[256];
	uint64_t bytes = 0, frames = 0, bad = 0;
	size_t len;
	int dir;

	nic_init(&a);
	nic_init(&b);
	w = wire_open("pair", &a.port, &b.port, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL)
		return;
	for (len = 60; len <= 1518; len++) {
		for (dir = 0; dir < 2; dir++) {
			struct fake_nic *from = dir == 0 ? &a : &b;
			struct fake_nic *to = dir == 0 ? &b : &a;
			uint64_t before = to->got;

			fill_frame(f, len);
			nic_xmit(from, f, len);
			if (to->got != before + 1 || to->last_len != len ||
			    memcmp(to->last, f, len) != 0)
				bad++;
		}
		frames++;
		bytes += len;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(a.got, frames);
	CHECK_EQ(b.got, frames);
	wire_get_stats(w, &st);
	for (dir = 0; dir < 2; dir++) {
		CHECK_EQ(st.dir[dir].frames, frames);
		CHECK_EQ(st.dir[dir].bytes, bytes);
		CHECK_EQ(st.dir[dir].refused, 0);
		CHECK_EQ(st.dir[dir].dropped, 0);
		CHECK_EQ(st.dir[dir].errors, 0);
	}
	CHECK_EQ(st.pcap_frames, 0);
	/* Only one level of deliver at a time. */
	CHECK_EQ(a.max_depth, 1);
	CHECK_EQ(b.max_depth, 1);
	CHECK_EQ(wire_close(w), 0);
}

/* Sizes outside 14..16384 are dropped on the wire and counted. */
static void
test_pair_sizes_limits(void)
{
	static uint8_t f[WIRE_FRAME_MAX + 16];
	static const size_t ok[] = { 14, 15, 59, 1519, 9018, WIRE_FRAME_MAX };
	static const size_t no[] = { 0, 1, 13, WIRE_FRAME_MAX + 1,
	    WIRE_FRAME_MAX + 16, (size_t)-1 };
	struct fake_nic a, b;
	struct wire_stats st;
	struct wire *w;
	char err[256];
	size_t i;

	nic_init(&a);
	nic_init(&b);
	w = wire_open("pair", &a.port, &b.port, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL)
		return;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		fill_frame(f, ok[i]);
		nic_xmit(&a, f, ok[i]);
		CHECK_EQ(b.last_len, ok[i]);
		CHECK(memcmp(b.last, f, ok[i]) == 0);
	}
	CHECK_EQ(b.got, i);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		nic_xmit(&b, f, no[i]);
	a.port.xmit(a.port.wire, NULL, 60);
	CHECK_EQ(a.got, 0);
	CHECK_EQ(b.got, sizeof(ok) / sizeof(ok[0]));
	wire_get_stats(w, &st);
	CHECK_EQ(st.dir[WIRE_AB].frames, sizeof(ok) / sizeof(ok[0]));
	CHECK_EQ(st.dir[WIRE_AB].dropped, 1);
	CHECK_EQ(st.dir[WIRE_BA].frames, 0);
	CHECK_EQ(st.dir[WIRE_BA].dropped, sizeof(no) / sizeof(no[0]));
	CHECK_EQ(wire_close(w), 0);
}

/* Frames a NIC refuses still crossed the wire; they count as refused. */
static void
test_pair_refused(void)
{
	struct fake_nic a, b;
	struct wire_stats st;
	struct wire *w;
	char err[256];

	nic_init(&a);
	nic_init(&b);
	b.accept = false;
	w = wire_open("pair", &a.port, &b.port, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL)
		return;
	fill_frame(scratch, 100);
	nic_xmit(&a, scratch, 100);
	nic_xmit(&a, scratch, 100);
	a.port.deliver = NULL;	/* a NIC without receive */
	nic_xmit(&b, scratch, 80);
	wire_get_stats(w, &st);
	CHECK_EQ(b.got, 2);
	CHECK_EQ(st.dir[WIRE_AB].frames, 2);
	CHECK_EQ(st.dir[WIRE_AB].bytes, 200);
	CHECK_EQ(st.dir[WIRE_AB].refused, 2);
	CHECK_EQ(st.dir[WIRE_BA].frames, 1);
	CHECK_EQ(st.dir[WIRE_BA].refused, 1);
	CHECK_EQ(a.got, 0);
	CHECK_EQ(wire_close(w), 0);
}

/* Two reflectors bounce a frame forever: each transmit does bounded work,
 * the stack never nests, and wire_poll moves exactly what it is asked. */
static void
test_pair_reflectors(void)
{
	struct fake_nic a, b;
	struct wire_stats st;
	struct wire *w;
	char err[256];
	uint64_t total, moved;
	int n;

	nic_init(&a);
	nic_init(&b);
	a.reflect = b.reflect = 1 << 30;
	w = wire_open("pair", &a.port, &b.port, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL)
		return;
	fill_frame(scratch, 64);
	nic_xmit(&a, scratch, 64);
	total = a.got + b.got;
	CHECK(total > 1);
	CHECK(total < 100000);
	CHECK_EQ(a.max_depth, 1);
	CHECK_EQ(b.max_depth, 1);
	/* The ball is still in play: polls move it a bounded step at a time. */
	CHECK_EQ(wire_poll(w, 10), 10);
	CHECK_EQ(a.got + b.got, total + 10);
	CHECK_EQ(wire_poll(w, 0), 0);
	CHECK_EQ(wire_poll(w, -5), 0);
	CHECK_EQ(a.got + b.got, total + 10);
	/* Stop the game: the last frame in flight lands, then silence. */
	a.reflect = b.reflect = 0;
	moved = 0;
	while ((n = wire_poll(w, 4)) > 0)
		moved += (uint64_t)n;
	CHECK_EQ(moved, 1);
	CHECK_EQ(wire_poll(w, 4), 0);
	CHECK(memcmp(a.last, scratch, 64) == 0 || memcmp(b.last, scratch,
	    64) == 0);
	wire_get_stats(w, &st);
	CHECK_EQ(st.dir[WIRE_AB].frames + st.dir[WIRE_BA].frames,
	    a.got + b.got);
	CHECK_EQ(st.dir[WIRE_AB].frames, b.got);
	CHECK_EQ(st.dir[WIRE_AB].dropped + st.dir[WIRE_BA].dropped, 0);
	CHECK_EQ(a.max_depth, 1);
	CHECK_EQ(b.max_depth, 1);
	CHECK_EQ(wire_close(w), 0);
}

/* A NIC that answers one frame with a burst: the answers arrive in order
 * after the delivery returns; what the wire cannot hold is counted. */
static void
test_pair_burst(int burst)
{
	struct fake_nic a, b;
	struct wire_stats st;
	struct wire *w;
	char err[256];
	int i, inorder = 1;

	nic_init(&a);
	nic_init(&b);
	b.burst = burst;
	w = wire_open("pair", &a.port, &b.port, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL)
		return;
	/* A poll from inside deliver is refused, not run nested. */
	b.poll_wire = w;
	b.poll_ret = -1;
	fill_frame(scratch, 60);
	nic_xmit(&a, scratch, 60);
	CHECK_EQ(b.poll_ret, 0);
	wire_get_stats(w, &st);
	CHECK_EQ(b.got, 1);
	CHECK_EQ(a.got + st.dir[WIRE_BA].dropped, (uint64_t)burst);
	CHECK_EQ(st.dir[WIRE_BA].frames, a.got);
	CHECK(a.got > 0);
	for (i = 0; i < a.nseq; i++)
		if (a.seq[i] != (uint32_t)i)
			inorder = 0;
	CHECK(inorder);
	CHECK_EQ(a.max_depth, 1);
	CHECK_EQ(b.max_depth, 1);
	if (burst <= 8)
		CHECK_EQ(st.dir[WIRE_BA].dropped, 0);
	if (burst >= 200)
		CHECK(st.dir[WIRE_BA].dropped > 0);
	CHECK_EQ(wire_close(w), 0);
}

/* Hostile sizes and random traffic in both directions, from inside and
 * outside deliver: counters always balance. */
static void
test_pair_random(void)
{
	static uint8_t f[WIRE_FRAME_MAX + 1];
	struct fake_nic a, b;
	struct wire_stats st;
	struct wire *w;
	char err[256];
	uint64_t sent[2] = { 0, 0 }, lost[2] = { 0, 0 };
	int i, d;
	size_t len;

	nic_init(&a);
	nic_init(&b);
	w = wire_open("pair", &a.port, &b.port, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL)
		return;
	for (i = 0; i < 2000; i++) {
		d = (int)(check_rand() & 1);
		len = (size_t)(check_rand() % (WIRE_FRAME_MAX + 2));
		if (check_rand() % 8 == 0)
			len = (size_t)(check_rand() % 20);
		fill_frame(f, len);
		(d == 0 ? &b : &a)->reflect = (int)(check_rand() % 3);
		(d == 0 ? &b : &a)->accept = (check_rand() % 5) != 0;
		nic_xmit(d == 0 ? &a : &b, f, len);
		if (len < WIRE_FRAME_MIN || len > WIRE_FRAME_MAX)
			lost[d]++;
		else
			sent[d]++;
	}
	a.reflect = b.reflect = 0;
	while (wire_poll(w, 64) > 0)
		;
	wire_get_stats(w, &st);
	/* Every delivery is a frame that crossed. */
	CHECK_EQ(st.dir[WIRE_AB].frames, b.got);
	CHECK_EQ(st.dir[WIRE_BA].frames, a.got);
	/* At least what the test sent itself crossed (plus reflections). */
	CHECK(st.dir[WIRE_AB].frames >= sent[0]);
	CHECK(st.dir[WIRE_BA].frames >= sent[1]);
	CHECK(st.dir[WIRE_AB].dropped >= lost[0]);
	CHECK(st.dir[WIRE_BA].dropped >= lost[1]);
	CHECK_EQ(a.max_depth, 1);
	CHECK_EQ(b.max_depth, 1);
	CHECK_EQ(wire_close(w), 0);
}

int
main(void)
{
	check_seed(0x77697265);
	test_bad_specs();
	test_attach_detach();
	test_pair_all_sizes();
	test_pair_sizes_limits();
	test_pair_refused();
	test_pair_reflectors();
	test_pair_burst(1);
	test_pair_burst(8);
	test_pair_burst(250);
	test_pair_random();
	return (check_done("test_wire"));
}
