/*
 * cmd_qtest.c — `capio qtest`: QEMU's qtest protocol on standard input
 * (or one UNIX-socket client) against a q35-shaped machine with 82574L
 * NICs and NVMe controllers, so the same script can drive capio and QEMU
 * and their answers can be compared (tests/e2e_qtest.sh, docs/qtest.md).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "apps/cli.h"
#include "board/q35.h"
#include "net/wire.h"
#include "qtest/qtest.h"

#define USAGE "capio qtest [--nic [mac=MAC][,pcap=FILE][,wire=SPEC]]... " \
	"[--nvme [serial=S][,size=MIB][,disk=FILE]]... [--ram MIB] " \
	"[--socket PATH]"
#define NVME_SIZE_DEFAULT	64	/* MiB of RAM namespace */
#define IN_BUF		65536
#define POLL_FRAMES	64
/* The longest path a UNIX socket address holds (sun_path less its NUL). */
#define SOCK_PATH_MAX	(sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1)

static const uint8_t default_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

struct qtest_app {
	struct q35		*m;
	struct qtest		*qt;
	int			 in, out;
	bool			 out_broken;
};

static const char help_text[] =
"Answer QEMU qtest commands (outb/inl on the PCI configuration ports,\n"
"readl/writel/read/write/memset on guest-physical memory,\n"
"irq_intercept_in, clock_step, ...) for a q35-shaped machine with\n"
"Intel 82574L NICs and NVMe controllers, exactly as\n"
"`qemu-system-x86_64 -M q35 -qtest stdio` answers them. Commands come\n"
"on standard input, replies go to standard output; the session ends at\n"
"the end of the input.\n"
"\n"
"options:\n"
"  --nic [mac=MAC][,pcap=FILE][,wire=SPEC]\n"
"        an 82574L in the next PCI slot (1, 2, ...; INTA on IOAPIC\n"
"        input 21, 22, 23, 20, ...). MAC: six hex bytes (default\n"
"        52:54:00:12:34:56, the last +1 per NIC). SPEC, last because it\n"
"        may hold a comma: udp:LOCAL,REMOTE (HOST:PORT each, QEMU's\n"
"        -netdev dgram format), tap:IFNAME, or pair (this NIC and the\n"
"        next, both wire=pair, back to back). No wire: no cable.\n"
"        FILE (no comma in it): record every frame on this NIC's wire\n"
"        in a pcap file (tshark -r FILE).\n"
"        Without --nic and --nvme: one NIC, no cable.\n"
"  --nvme [serial=S][,size=MIB][,disk=FILE]\n"
"        an NVMe 1.4 controller in the next PCI slot after the NICs\n"
"        (QEMU: -device nvme,serial=S,drive=D -drive if=none,id=D,\n"
"        file=FILE,format=raw), 64 I/O queue pairs, MSI-X or INTA.\n"
"        S: its serial number, 1 to 20 characters (default\n"
"        capio-nvme0, capio-nvme1, ...). Namespace 1 (512-byte\n"
"        blocks) is all of FILE, which must exist (disk= comes last, a\n"
"        path may hold a comma), or without disk= MIB (1 to 1024,\n"
"        default 64) of zeroed RAM.\n"
"  --ram MIB\n"
"        RAM size, 2 to 2048 (default 128, as QEMU's)\n"
"  --socket PATH\n"
"        serve one client on a new UNIX socket at PATH instead of\n"
"        standard input and output\n"
"\n"
"Options take their value as --ram 256 or --ram=256.\n"
"\n"
"Exit status: 0 at the end of the input; 1 when the machine cannot be\n"
"built (a wire that cannot be opened, a disk that is not a file of at\n"
"least one block, a socket path in use); 2 for a bad argument.\n"
"\n"
"examples:\n"
"  printf 'outl 0xcf8 0x80000800\\ninl 0xcfc\\n' | capio qtest\n"
"  OK\n"
"  OK 0x10d38086\n"
"\n"
"  truncate -s 1M disk.img\n"
"  printf 'outl 0xcf8 0x80000808\\ninl 0xcfc\\n' |\n"
"      capio qtest --nvme serial=deadbeef,disk=disk.img\n"
"  OK\n"
"  OK 0x1080202\n"
"\n"
"See docs/qtest.md for the protocol and the machine.\n";

static void
help(void)
{
	printf("usage: %s\n\n%s", USAGE, help_text);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* xx:xx:xx:xx:xx:xx, hex digits only. */
static bool
parse_mac(const char *s, uint8_t mac[6])
{
	int i, hi, lo;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 6; i++) {
		hi = hexval(s[3 * i]);
		lo = hexval(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* One "key=value" item of an option's comma-separated text. */
struct opt_item {
	const char	*text;		/* the item, not terminated */
	size_t		 len;
	const char	*val;		/* after its '=' (or its end) */
	size_t		 vlen;
};

/*
 * The next item of *P into IT and *P past it: 1, 0 at the end, or -1 with
 * a message in ERR (OPT names the option) on a trailing comma. An item
 * starting with LAST runs to the end of the text: its value may hold
 * commas (a wire spec, a path).
 */
static int
next_item(const char **p, const char *last, const char *opt,
    struct opt_item *it, char *err, size_t errlen)
{
	const char *s = *p, *comma = NULL, *eq;

	if (*s == '\0')
		return 0;
	if (strncmp(s, last, strlen(last)) != 0)
		comma = strchr(s, ',');
	it->text = s;
	it->len = comma != NULL ? (size_t)(comma - s) : strlen(s);
	eq = memchr(s, '=', it->len);
	it->val = eq != NULL ? eq + 1 : s + it->len;
	it->vlen = it->len - (size_t)(it->val - s);
	*p = comma != NULL ? comma + 1 : s + it->len;
	if (comma != NULL && comma[1] == '\0') {
		snprintf(err, errlen, "%s: trailing comma", opt);
		return -1;
	}
	return 1;
}

/* Whether IT is KEY=... (KEY given with its '='). */
static bool
item_is(const struct opt_item *it, const char *key)
{
	return strncmp(it->text, key, strlen(key)) == 0;
}

/* IT's value into BUF as a string; false when it does not fit. */
static bool
item_val(const struct opt_item *it, char *buf, size_t len)
{
	if (it->vlen >= len)
		return false;
	memcpy(buf, it->val, it->vlen);
	buf[it->vlen] = '\0';
	return true;
}

/* "--nvme" option text: comma-separated keys, disk= last. */
static bool
parse_nvme(const char *s, struct q35_nvme_desc *n, char *serial,
    size_t serial_len, char *err, size_t errlen)
{
	struct opt_item it;
	char num[16], *end;
	unsigned long long mib;
	int r;

	while ((r = next_item(&s, "disk=", "--nvme", &it, err, errlen)) > 0) {
		if (item_is(&it, "disk=")) {
			if (it.vlen == 0) {
				snprintf(err, errlen, "--nvme: empty disk=");
				return false;
			}
			n->disk = it.val;
		} else if (item_is(&it, "serial=")) {
			if (it.vlen == 0 || !item_val(&it, serial, serial_len)) {
				snprintf(err, errlen, "--nvme: serial= wants 1"
				    " to %zu characters", serial_len - 1);
				return false;
			}
			n->serial = serial;
		} else if (item_is(&it, "size=")) {
			if (!item_val(&it, num, sizeof(num)) ||
			    (mib = strtoull(num, &end, 10)) < 1 || mib > 1024 ||
			    *end != '\0' || num[0] < '0' || num[0] > '9') {
				snprintf(err, errlen, "--nvme: size=%.*s: want"
				    " MiB, 1 to 1024", (int)it.vlen, it.val);
				return false;
			}
			n->ram_bytes = (uint64_t)mib << 20;
		} else {
			snprintf(err, errlen, "--nvme: unknown key in '%.*s'"
			    " (expected serial=, size= or disk=)", (int)it.len,
			    it.text);
			return false;
		}
	}
	return r == 0;
}

/* "--nic" option text: comma-separated keys, wire= last. */
static bool
parse_nic(const char *s, struct q35_nic_desc *n, char *err, size_t errlen)
{
	struct opt_item it;
	char mac[32];
	int r;

	while ((r = next_item(&s, "wire=", "--nic", &it, err, errlen)) > 0) {
		if (item_is(&it, "wire=")) {
			n->wire = it.val;
			if (*n->wire == '\0') {
				snprintf(err, errlen, "--nic: empty wire=");
				return false;
			}
			/* Opening the wire checks the rest, when the machine is built. */
			if (strcmp(n->wire, "pair") != 0 &&
			    strncmp(n->wire, "tap:", 4) != 0 &&
			    strncmp(n->wire, "udp:", 4) != 0) {
				snprintf(err, errlen, "--nic: unknown wire '%s'"
				    " (pair, tap:IFNAME or udp:LOCAL,REMOTE)",
				    n->wire);
				return false;
			}
		} else if (item_is(&it, "pcap=")) {
			if (it.vlen == 0 || !item_val(&it, n->pcap,
			    sizeof(n->pcap))) {
				snprintf(err, errlen, "--nic: pcap= needs a file"
				    " name of 1 to %zu bytes without a comma",
				    sizeof(n->pcap) - 1);
				return false;
			}
		} else if (item_is(&it, "mac=")) {
			if (!item_val(&it, mac, sizeof(mac)) ||
			    !parse_mac(mac, n->mac)) {
				snprintf(err, errlen, "--nic: bad MAC address"
				    " '%.*s' (expected xx:xx:xx:xx:xx:xx)",
				    (int)it.vlen, it.val);
				return false;
			}
		} else {
			snprintf(err, errlen, "--nic: unknown key in '%.*s'"
			    " (expected mac=, pcap= or wire=)", (int)it.len,
			    it.text);
			return false;
		}
	}
	return r == 0;
}

static void
app_out(void *arg, const char *buf, size_t len)
{
	struct qtest_app *a = arg;
	ssize_t n;

	while (len > 0 && !a->out_broken) {
		n = write(a->out, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			a->out_broken = true;	/* the client went away */
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void
app_irq(void *arg, unsigned irq, int level)
{
	struct qtest_app *a = arg;

	qtest_set_irq(a->qt, irq, level);
}

static void
app_free(struct qtest_app *a)
{
	qtest_free(a->qt);
	q35_free(a->m);
}

/* Build the machine and its server; 0, or 1 with a message printed. */
static int
app_build(struct qtest_app *a, const struct q35_desc *d)
{
	char err[256];

	if ((a->m = q35_new(d, err, sizeof(err))) == NULL) {
		fprintf(stderr, "capio qtest: %s\n", err);
		return 1;
	}
	a->qt = qtest_new(q35_phys(a->m), q35_pci(a->m), app_out, a);
	if (a->qt == NULL) {
		fprintf(stderr, "capio qtest: out of memory\n");
		return 1;
	}
	q35_set_irq_sink(a->m, app_irq, a);
	qtest_set_clock(a->qt, q35_clock(a->m));
	return 0;
}

/* Serve commands from a->in until it ends; wires are polled meanwhile. */
static int
app_serve(struct qtest_app *a)
{
	struct pollfd pfd[Q35_MAX_NICS + 1];
	struct wire *pw[Q35_MAX_NICS], *w;
	char *buf;
	unsigned i, nw = 0;
	ssize_t n;

	if ((buf = malloc(IN_BUF)) == NULL) {
		fprintf(stderr, "capio qtest: out of memory\n");
		return 1;
	}
	for (i = 0; i < q35_nnics(a->m); i++) {
		if ((w = q35_wire(a->m, i)) == NULL || wire_fd(w) < 0)
			continue;
		pw[nw] = w;
		pfd[nw].fd = wire_fd(w);
		pfd[nw].events = POLLIN;
		nw++;
	}
	pfd[nw].fd = a->in;
	pfd[nw].events = POLLIN;
	while (!a->out_broken) {
		if (poll(pfd, nw + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "capio qtest: poll: %s\n",
			    strerror(errno));
			free(buf);
			return 1;
		}
		/* Frames that arrived first are delivered first. */
		for (i = 0; i < nw; i++)
			if (pfd[i].revents != 0)
				(void)wire_poll(pw[i], POLL_FRAMES);
		if (pfd[nw].revents == 0)
			continue;
		n = read(a->in, buf, IN_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		qtest_input(a->qt, buf, (size_t)n);
		/* Frames a pair queued while a NIC was busy receiving. */
		for (i = 0; i < q35_nnics(a->m); i++)
			if ((w = q35_wire(a->m, i)) != NULL)
				(void)wire_poll(w, POLL_FRAMES);
	}
	free(buf);
	return 0;
}

/* Listen on a new UNIX socket at PATH and take one client. */
static int
accept_one(const char *path)
{
	struct sockaddr_un sa;
	int ls, fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "capio qtest: socket path too long\n");
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path));
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(ls, 1) != 0) {
		fprintf(stderr, "capio qtest: cannot listen on %s: %s\n", path,
		    strerror(errno));
		if (ls >= 0)
			close(ls);
		return -1;
	}
	do
		fd = accept(ls, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		fprintf(stderr, "capio qtest: accept: %s\n", strerror(errno));
	close(ls);
	(void)unlink(path);
	return fd;
}

int
cmd_qtest(int argc, char **argv)
{
	struct cli_args a = { "qtest", USAGE, argc, argv, 0 };
	struct q35_desc desc;
	struct q35_nic_desc *n;
	struct q35_nvme_desc *nv;
	char serial[Q35_MAX_NVMES][21], dflt[Q35_MAX_NVMES][21];
	struct qtest_app app;
	const char *sock = NULL;
	uint64_t ram_mib = Q35_RAM_DEFAULT >> 20;
	char err[256];
	int rc, fd = -1;

	if (cli_wants_help(argc, argv)) {
		help();
		return 0;
	}
	memset(&desc, 0, sizeof(desc));
	for (a.i = 1; a.i < argc; a.i++) {
		const char *arg = argv[a.i], *v;

		if (strcmp(arg, "--nic") == 0) {
			if ((v = cli_value(&a)) == NULL)
				return EXIT_USAGE;
			if (desc.nnics == Q35_MAX_NICS)
				return cli_fail(&a, "at most %d NICs",
				    Q35_MAX_NICS);
			n = &desc.nic[desc.nnics];
			memcpy(n->mac, default_mac, 6);
			n->mac[5] = (uint8_t)(default_mac[5] + desc.nnics);
			if (!parse_nic(v, n, err, sizeof(err)))
				return cli_fail(&a, "%s", err);
			desc.nnics++;
		} else if (strcmp(arg, "--nvme") == 0) {
			if ((v = cli_value(&a)) == NULL)
				return EXIT_USAGE;
			if (desc.nnvmes == Q35_MAX_NVMES)
				return cli_fail(&a, "at most %d NVMe controllers",
				    Q35_MAX_NVMES);
			nv = &desc.nvme[desc.nnvmes];
			snprintf(dflt[desc.nnvmes], sizeof(dflt[0]),
			    "capio-nvme%u", desc.nnvmes);
			nv->serial = dflt[desc.nnvmes];
			nv->ram_bytes = (uint64_t)NVME_SIZE_DEFAULT << 20;
			if (!parse_nvme(v, nv, serial[desc.nnvmes],
			    sizeof(serial[0]), err, sizeof(err)))
				return cli_fail(&a, "%s", err);
			desc.nnvmes++;
		} else if (strcmp(arg, "--ram") == 0) {
			if (!cli_number(&a, Q35_RAM_MIN >> 20, Q35_RAM_MAX >> 20,
			    &ram_mib))
				return EXIT_USAGE;
		} else if (strcmp(arg, "--socket") == 0) {
			if ((sock = cli_value(&a)) == NULL)
				return EXIT_USAGE;
			if (strlen(sock) > SOCK_PATH_MAX)
				return cli_fail(&a, "--socket: a path of at most %zu"
				    " bytes", SOCK_PATH_MAX);
		} else
			return cli_unknown(&a);
	}
	if (desc.nnics == 0 && desc.nnvmes == 0) {
		memcpy(desc.nic[0].mac, default_mac, 6);
		desc.nnics = 1;
	}
	desc.ram_size = ram_mib << 20;
	/* The options bound the RAM and the device counts: what is left to
	 * go wrong is a lonely wire=pair or a serial that is not printable. */
	if (q35_check(&desc, err, sizeof(err)) != 0)
		return cli_fail(&a, "%s", err);
	memset(&app, 0, sizeof(app));
	app.in = STDIN_FILENO;
	app.out = STDOUT_FILENO;
	/* A client that hangs up must not kill us mid-reply. */
	signal(SIGPIPE, SIG_IGN);
	if ((rc = app_build(&app, &desc)) == 0) {
		if (sock != NULL && (fd = accept_one(sock)) < 0)
			rc = 1;
		if (fd >= 0)
			app.in = app.out = fd;
		if (rc == 0)
			rc = app_serve(&app);
	}
	if (fd >= 0)
		close(fd);
	app_free(&app);
	return rc;
}
