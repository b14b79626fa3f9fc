/*
 * bench_args.h — `capio bench SUB [OPTIONS]`: each benchmark's argument
 * parsing and help, in front of its run (eval/bench.h).
 */
#ifndef CAPIO_APPS_BENCH_ARGS_H
#define CAPIO_APPS_BENCH_ARGS_H

#include <stdio.h>

#include "eval/bench_report.h"

/*
 * Parse argv[1..] (argv[0] is the benchmark's name). Returns -1 when the
 * benchmark should run; otherwise the exit status: 0 after --help
 * (HELP, a paragraph, printed), 2 after a usage error.
 */
int bench_opts_parse(struct bench_opts *o, int argc, char **argv,
    unsigned accept, const char *usage, const char *help);
/* The help text for the shared options ACCEPT allows. */
void bench_opts_help(FILE *f, unsigned accept);
/*
 * `capio bench X`: parse argv (as bench_opts_parse), run, print the JSON
 * document after --json. The exit status.
 */
int bench_main(int argc, char **argv, unsigned accept, const char *usage,
    const char *help, bench_run_fn *run);

/* `capio bench rtt|throughput|udp|memcached|nvme|access|nic [OPTIONS]`. */
int bench_rtt(int argc, char **argv);
int bench_throughput(int argc, char **argv);
int bench_udp(int argc, char **argv);
int bench_memcached(int argc, char **argv);
int bench_nvme(int argc, char **argv);
int bench_access(int argc, char **argv);
int bench_nic(int argc, char **argv);

#endif
