// SPDX-License-Identifier: GPL-2.0
#include "session/preflight.h"

#include <stdio.h>
#include <unistd.h>

#include "model/exit_codes.h"
#include "target/procinfo.h"

int preflight__check(const struct options *opts)
{
	for (size_t i = 0; i < opts->pid_count; i++) {
		if (!procinfo__alive(opts->pids[i])) {
			fprintf(stderr, "memtrace-bpf: no such process: %d\n", opts->pids[i]);
			return EXIT_NO_PROCESS;
		}
	}
	if (!procinfo__can_trace()) {
		fprintf(stderr, "memtrace-bpf: permission denied: run as root "
			"(or with CAP_BPF and CAP_PERFMON)\n");
		return EXIT_PERMISSION;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "memtrace-bpf: this kernel has no BTF (/sys/kernel/btf/vmlinux): "
			"CONFIG_DEBUG_INFO_BTF=y is needed\n");
		return EXIT_KERNEL;
	}
	if (access("/sys/bus/event_source/devices/uprobe/type", R_OK)) {
		fprintf(stderr, "memtrace-bpf: this kernel has no uprobes: CONFIG_UPROBE_EVENTS=y "
			"is needed\n");
		return EXIT_KERNEL;
	}
	return EXIT_OK;
}
