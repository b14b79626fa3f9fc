/*
 * bench_udp.c — `capio bench udp`: UDP round trips through lwIP and a
 * UDP echo server, per arm. The server process (server_main,
 * APP_UDP_ECHO) owns NIC 0 (10.0.0.1, port 7) and the client process
 * (udp_client_main) NIC 1 (10.0.0.2); each has its own lwIP. The client
 * sends a datagram, waits for the echo and checks it byte for byte; the
 * time is on the client's monotonic clock.
 *
 * Arms: kernel (both processes use sys_send/sys_recv), page and capio
 * (both use the user-level driver). There is no raw arm here: the client
 * and server only come with the checked paths, and lwIP's own cost
 * dwarfs what raw would tell apart.
 *
 * Frame sizes are on the wire with the FCS: a 64-byte frame carries 18
 * bytes of UDP payload, a 1518-byte frame 1472.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/bench.h"
#include "apps/bench_app.h"
#include "apps/bench_report.h"
#include "user/server.h"

#define USAGE	"capio bench udp [--quick] [--json] [--out DIR] " \
		"[--no-host-syscalls] [--warmup N] [--samples N]"
#define NSIZES	2
#define NARMS	3	/* kernel, page, capio */
#define HEADERS	(14 + 20 + 8 + 4)	/* Ethernet, IPv4, UDP, FCS */
#define PORT	7

static const unsigned sizes[NSIZES] = { 64, 1518 };

struct result {
	struct bench_lat lat;
	double ops_per_s;
	struct bench_counts cost;
	uint64_t ops;
};

static int
run_one(const struct bench_opts *o, enum bench_arm arm, unsigned size,
    uint64_t warmup, uint64_t samples, uint64_t *lat, struct result *r)
{
	struct server_cfg srv;
	struct client_cfg cfg;
	struct bench_app a;

	memset(&srv, 0, sizeof srv);
	memset(&cfg, 0, sizeof cfg);
	memset(&a, 0, sizeof a);
	srv.app = APP_UDP_ECHO;
	srv.dev = 0;
	srv.kernel_path = arm == BARM_KERNEL;
	snprintf(srv.cidr, sizeof srv.cidr, "10.0.0.1/24");
	srv.port = PORT;
	snprintf(cfg.cidr, sizeof cfg.cidr, "10.0.0.2/24");
	snprintf(cfg.server, sizeof cfg.server, "10.0.0.1");
	cfg.port = PORT;
	cfg.ops = (uint32_t)(warmup + samples);
	cfg.size = size - HEADERS;
	cfg.lat_ns = lat;
	a.arm = arm;
	a.host_syscalls = o->host_syscalls;
	a.server = server_main;
	a.server_arg = &srv;
	a.server_ready = &srv.ready;
	a.server_stop = &srv.stop;
	a.server_err = srv.err;
	a.client = udp_client_main;
	a.cfg = &cfg;
	a.warmup = warmup;
	a.server_mac = srv.mac;
	bench_progress(o, "udp: %s arm, %u-byte frames, %llu round trips",
	    bench_arm_name(arm), size, (unsigned long long)cfg.ops);
	if (bench_app_run(&a) != 0) {
		bench_progress_end(o);
		fprintf(stderr, "capio: bench udp: %s arm, %u bytes: %s\n",
		    bench_arm_name(arm), size, a.err);
		return -1;
	}
	bench_lat_summarize(lat + warmup, samples, &r->lat);
	r->ops_per_s = (double)a.ops / a.seconds;
	r->cost = a.cost;
	r->ops = a.ops;
	return 0;
}

static void
plot_script(const struct bench_opts *o, struct result res[][NSIZES])
{
	static const struct bench_cdf_plot plot = {
		.name = "udp", .width = 1100, .height = 500,
		.rows = 1, .cols = NSIZES,
		.title = "capio bench udp: UDP echo round trips through lwIP per "
		    "arm",
		.xlabel = "round-trip time (ns)",
		.ylabel = "fraction of round trips",
	};
	struct bench_cdf_panel panel[NSIZES];

	for (int s = 0; s < NSIZES; s++) {
		snprintf(panel[s].title, sizeof panel[s].title,
		    "%u-byte frames (%u-byte payload)", sizes[s],
		    sizes[s] - HEADERS);
		panel[s].nlines = NARMS;
		for (int a = 0; a < NARMS; a++) {
			panel[s].line[a].label = bench_arm_name((enum bench_arm)a);
			panel[s].line[a].block = s * NARMS + a;
			panel[s].line[a].lat = &res[a][s].lat;
		}
	}
	bench_plot_cdf(o, &plot, panel, NSIZES);
}

int
bench_udp_run(const struct bench_opts *o, char **json)
{
	struct result res[NARMS][NSIZES];
	uint64_t warmup = bench_pick(o->warmup, o->quick, 200, 1000);
	uint64_t samples = bench_pick(o->samples, o->quick, 2000, 20000);
	uint64_t *lat = NULL;
	FILE *csv = NULL, *dat = NULL, *doc;
	char *buf = NULL;
	size_t len;
	int rc = 1;

	*json = NULL;
	if (warmup + samples > UINT32_MAX / 2) {
		fprintf(stderr, "capio: bench udp: too many round trips\n");
		return 1;
	}
	if (bench_out_dir(o) != 0)
		return 1;
	if ((lat = calloc(warmup + samples, sizeof *lat)) == NULL ||
	    (dat = bench_out_open(o, "udp.dat")) == NULL)
		goto out;
	memset(res, 0, sizeof res);
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < NARMS; a++) {
			if (run_one(o, (enum bench_arm)a, sizes[s], warmup, samples,
			    lat, &res[a][s]) != 0)
				goto out;
			/* lat + warmup is sorted now: its CDF. */
			fprintf(dat, "# %s %u\n", bench_arm_name((enum bench_arm)a),
			    sizes[s]);
			bench_lat_cdf(dat, lat + warmup, samples, 400);
			fprintf(dat, "\n\n");
		}
	bench_progress_end(o);
	if (fclose(dat) != 0) {
		dat = NULL;
		goto out;
	}
	dat = NULL;

	if ((csv = bench_out_open(o, "udp.csv")) == NULL)
		goto out;
	fprintf(csv, "machine,commit,arm,size,payload,host_syscalls,warmup,"
	    "samples,min_ns,mean_ns,p50_ns,p99_ns,p999_ns,max_ns,ops_per_s,"
	    "syscalls_per_rtt,mmio_per_rtt,checks_per_rtt,bytes_copied_per_rtt\n");
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < NARMS; a++) {
			const struct result *r = &res[a][s];

			fprintf(csv, "%s,%s,%s,%u,%u,%d,%llu,%llu,%.0f,%.1f,%.0f,%.0f,"
			    "%.0f,%.0f,%.0f,%.3f,%.3f,%.3f,%.1f\n",
			    bench_machine_csv(), bench_commit(),
			    bench_arm_name((enum bench_arm)a), sizes[s],
			    sizes[s] - HEADERS, o->host_syscalls,
			    (unsigned long long)warmup, (unsigned long long)samples,
			    r->lat.min, r->lat.mean, r->lat.p50, r->lat.p99,
			    r->lat.p999, r->lat.max, r->ops_per_s,
			    bench_per(r->cost.syscalls, r->ops),
			    bench_per(r->cost.mmio, r->ops),
			    bench_per(r->cost.checks, r->ops),
			    bench_per(r->cost.copy_bytes, r->ops));
		}
	if (fclose(csv) != 0) {
		csv = NULL;
		goto out;
	}
	csv = NULL;

	if ((doc = bench_doc_begin("udp", o, &buf, &len)) == NULL)
		goto out;
	fprintf(doc, "\"warmup\":%llu,\"samples\":%llu,\"port\":%d,"
	    "\"arms\":[\"kernel\",\"page\",\"capio\"],\"sizes\":[",
	    (unsigned long long)warmup, (unsigned long long)samples, PORT);
	for (int s = 0; s < NSIZES; s++)
		fprintf(doc, "%s%u", s ? "," : "", sizes[s]);
	fputs("],\"results\":{", doc);
	for (int a = 0; a < NARMS; a++) {
		fprintf(doc, "%s\"%s\":{", a ? "," : "",
		    bench_arm_name((enum bench_arm)a));
		for (int s = 0; s < NSIZES; s++) {
			const struct result *r = &res[a][s];

			fprintf(doc, "%s\"%u\":{\"payload\":%u,", s ? "," : "",
			    sizes[s], sizes[s] - HEADERS);
			bench_lat_json(doc, &r->lat);
			fputs(",\"round_trips_per_s\":", doc);
			bench_json_num(doc, r->ops_per_s);
			bench_counts_json(doc, &r->cost, r->ops, "rtt");
			fputc('}', doc);
		}
		fputc('}', doc);
	}
	fputs("},\"ratios\":{", doc);
	for (int s = 0; s < NSIZES; s++) {
		char key[16];

		snprintf(key, sizeof key, "%u", sizes[s]);
		fputs(s ? "," : "", doc);
		bench_ratios_json(doc, key, res[BARM_CAPIO][s].lat.p50,
		    res[BARM_KERNEL][s].lat.p50, res[BARM_PAGE][s].lat.p50, NAN);
	}
	fputs("}", doc);
	if (bench_doc_end(doc) != 0 || buf == NULL)
		goto out;
	if (bench_out_write(o, "udp.json", buf) != 0)
		goto out;
	plot_script(o, res);
	if (bench_plot(o, "udp") < 0)
		goto out;

	if (!o->json) {
		printf("capio bench udp: UDP echo through lwIP, server on NIC 0, "
		    "client on NIC 1;\n%llu round trips after %llu warm-up per arm "
		    "and size; kernel arm %s host system calls.\nTimes in ns; costs "
		    "per round trip, both processes.\n\n",
		    (unsigned long long)samples, (unsigned long long)warmup,
		    o->host_syscalls ? "pays real" : "without");
		printf("%5s %-7s %8s %8s %8s %8s %8s %9s %9s %7s %7s %7s %8s\n",
		    "size", "arm", "min", "p50", "mean", "p99", "p99.9", "max",
		    "rt/s", "sysc", "mmio", "checks", "copied");
		for (int s = 0; s < NSIZES; s++)
			for (int a = 0; a < NARMS; a++) {
				const struct result *r = &res[a][s];

				printf("%5u %-7s %8.0f %8.0f %8.0f %8.0f %8.0f %9.0f "
				    "%9.0f %7.2f %7.2f %7.1f %8.1f\n", sizes[s],
				    bench_arm_name((enum bench_arm)a), r->lat.min,
				    r->lat.p50, r->lat.mean, r->lat.p99, r->lat.p999,
				    r->lat.max, r->ops_per_s,
				    bench_per(r->cost.syscalls, r->ops),
				    bench_per(r->cost.mmio, r->ops),
				    bench_per(r->cost.checks, r->ops),
				    bench_per(r->cost.copy_bytes, r->ops));
			}
		printf("\nratios of median RTT\n%5s  %-12s %-12s %-12s\n", "size",
		    "capio/kernel", "capio/page", "capio/raw");
		for (int s = 0; s < NSIZES; s++) {
			double c = res[BARM_CAPIO][s].lat.p50;

			printf("%5u  %-12.3f %-12.3f %-12s\n", sizes[s],
			    c / res[BARM_KERNEL][s].lat.p50,
			    c / res[BARM_PAGE][s].lat.p50, "n/a");
		}
		printf("\nfiles: %s/udp.csv, %s/udp.json, %s/udp.png\n", o->out,
		    o->out, o->out);
	}
	*json = buf;
	buf = NULL;
	rc = 0;
out:
	bench_run_end(o, csv, dat, buf);
	free(lat);
	return rc;
}

int
bench_udp(int argc, char **argv)
{
	return bench_main(argc, argv, BOPT_SAMPLES, USAGE,
	    "UDP round trips through lwIP: an echo server process on NIC 0, a\n"
	    "client process on NIC 1, each with its own lwIP, both through the\n"
	    "kernel path, page-granular bypass, or CAPIO; frames of 64 and 1518\n"
	    "bytes. Writes udp.csv, udp.json, udp.png under --out.\n",
	    bench_udp_run);
}
