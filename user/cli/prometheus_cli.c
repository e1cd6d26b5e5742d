// SPDX-License-Identifier: GPL-2.0
#include "cli/prometheus_cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "model/exit_codes.h"

void prometheus_cli__parse(const char *arg, struct prom_listen *out)
{
	enum prom_listen_error err = prom_listen__parse(arg, out);
	char shown[128];

	if (!err)
		return;
	/* As cli__usage_error: a control byte in the value must not break the one line. */
	snprintf(shown, sizeof(shown), "%s", arg);
	for (char *c = shown; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (err == PROM_LISTEN_BAD_PORT) {
		fprintf(stderr, "memtrace-bpf: invalid --prometheus port: %s (1 to 65535)\n", shown);
		exit(EXIT_PROMETHEUS_PORT);
	}
	fprintf(stderr, "memtrace-bpf: invalid --prometheus address: %s ([ADDR:]PORT, ADDR an "
		"IPv4 address or [IPv6])\n", shown);
	exit(EXIT_PROMETHEUS_ADDRESS);
}
