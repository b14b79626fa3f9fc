/*
 * cmd_qtest.c — `capio qtest`: QEMU's qtest protocol on standard input
 * (or one UNIX-socket client) against a q35-shaped machine with 82574L
 * NICs, so the same script can drive capio and QEMU and their answers
 * can be compared (tests/e2e_qtest.sh, docs/qtest.md).
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
	"[--ram MIB] " \
	"[--socket PATH]"
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
"Intel 82574L NICs, exactly as `qemu-system-x86_64 -M q35 -qtest stdio`\n"
"answers them. Commands come on standard input, replies go to standard\n"
"output; the session ends at the end of the input.\n"
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
"        Without --nic: one NIC, no cable.\n"
"  --ram MIB\n"
"        RAM size, 2 to 2048 (default 128, as QEMU's)\n"
"  --socket PATH\n"
"        serve one client on a new UNIX socket at PATH instead of\n"
"        standard input and output\n"
"\n"
"Options take their value as --ram 256 or --ram=256.\n"
"\n"
"Exit status: 0 at the end of the input; 1 when the machine cannot be\n"
"built (a wire that cannot be opened, a socket path in use); 2 for a\n"
"bad argument.\n"
"\n"
"example:\n"
"  printf 'outl 0xcf8 0x80000800\\ninl 0xcfc\\n' | capio qtest\n"
"  OK\n"
"  OK 0x10d38086\n"
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

/* "--nic" option text: comma-separated keys, wire= last. */
static bool
parse_nic(const char *s, struct q35_nic_desc *n, char *err, size_t errlen)
{
	char key[32];
	const char *p = s, *comma;
	size_t len;

	while (*p != '\0') {
		if (strncmp(p, "wire=", 5) == 0) {
			n->wire = p + 5;
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
			return true;
		}
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (strncmp(p, "pcap=", 5) == 0) {
			if (len - 5 == 0 || len - 5 >= sizeof(n->pcap)) {
				snprintf(err, errlen, "--nic: pcap= needs a file"
				    " name of 1 to %zu bytes without a comma",
				    sizeof(n->pcap) - 1);
				return false;
			}
			memcpy(n->pcap, p + 5, len - 5);
			n->pcap[len - 5] = '\0';
		} else if (strncmp(p, "mac=", 4) == 0) {
			if (len - 4 >= sizeof(key)) {
				snprintf(err, errlen, "--nic: bad MAC address");
				return false;
			}
			memcpy(key, p + 4, len - 4);
			key[len - 4] = '\0';
			if (!parse_mac(key, n->mac)) {
				snprintf(err, errlen, "--nic: bad MAC address"
				    " '%s' (expected xx:xx:xx:xx:xx:xx)", key);
				return false;
			}
		} else {
			snprintf(err, errlen, "--nic: unknown key in '%.*s'"
			    " (expected mac=, pcap= or wire=)", (int)len, p);
			return false;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
		if (*p == '\0') {
			snprintf(err, errlen, "--nic: trailing comma");
			return false;
		}
	}
	return true;
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
	if (desc.nnics == 0) {
		memcpy(desc.nic[0].mac, default_mac, 6);
		desc.nnics = 1;
	}
	desc.ram_size = ram_mib << 20;
	/* The options bound the RAM and the NIC count: what is left to go
	 * wrong is a lonely wire=pair. */
	if (q35_check(&desc, err, sizeof(err)) != 0)
		return cli_fail(&a, "--nic %s", err);
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
