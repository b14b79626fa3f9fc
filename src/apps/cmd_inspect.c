/*
 * cmd_inspect.c — `capio inspect DEVICE`: the device manifest a kernel
 * stub registers, for people or as JSON.
 */
#include <stdio.h>
#include <string.h>

#include "apps/cli.h"
#include "kernel/e1000e_manifest.h"

#define USAGE "capio inspect DEVICE [--json]   (devices: e1000e)"

int
cmd_inspect(int argc, char **argv)
{
	const struct manifest *m = NULL;
	bool json = false;
	char err[256];

	if (cli_wants_help(argc, argv)) {
		printf("usage: %s\n\n"
		    "Print the device manifest: the regions its kernel stub can share\n"
		    "and the byte slices of its registers a user-level driver gets.\n"
		    "--json prints one JSON object on one line.\n\n"
		    "example: capio inspect e1000e --json\n", USAGE);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (argv[i][0] == '-')
			return cli_usage_error(USAGE, "inspect: unknown option '%s'", argv[i]);
		else if (m != NULL)
			return cli_usage_error(USAGE, "inspect: one device at a time");
		else if (strcmp(argv[i], "e1000e") == 0)
			m = &e1000e_manifest;
		else
			return cli_usage_error(USAGE, "inspect: unknown device '%s'", argv[i]);
	}
	if (m == NULL)
		return cli_usage_error(USAGE, "inspect: missing DEVICE");
	if (manifest_validate(m, err, sizeof err) != 0) {
		fprintf(stderr, "capio: inspect: invalid manifest: %s\n", err);
		return 1;
	}
	if (json)
		manifest_print_json(stdout, m);
	else
		manifest_print(stdout, m);
	return 0;
}
