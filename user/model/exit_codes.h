/* memtrace-bpf's exit codes: each failure class has its own, documented in README.md. */
#ifndef MEMTRACE_EXIT_CODES_H
#define MEMTRACE_EXIT_CODES_H

enum exit_code {
	EXIT_OK = 0,
	EXIT_INTERNAL = 1,      /* out of memory, unexpected libbpf error */
	EXIT_USAGE = 2,         /* bad flag or value; -p of a thread or a kernel thread */
	EXIT_NO_PROCESS = 3,    /* no such PID */
	EXIT_PERMISSION = 4,    /* not root / missing CAP_BPF + CAP_PERFMON; maps unreadable */
	EXIT_KERNEL = 5,        /* kernel without BTF, uprobes or a BPF helper we call */
	EXIT_NO_ALLOCATOR = 6,  /* no malloc in the target's mappings; a Go program */
	EXIT_BPF_LOAD = 7,      /* the verifier rejected a program */
	EXIT_ATTACH = 8,        /* a probe could not be attached */
	EXIT_LAUNCH = 9,        /* the command after -- could not be started */
	EXIT_LEAK = 10,         /* --fail-on-leak: a leak of that severity or worse was found */
	EXIT_BUDGET = 11,       /* --fail-on-budget: a budget was exceeded */
	EXIT_PROMETHEUS_ADDRESS = 12, /* --prometheus: the address does not parse */
	EXIT_PROMETHEUS_PORT = 13,    /* --prometheus: the port is not 1 to 65535 */
	EXIT_PROMETHEUS_LISTEN = 14,  /* --prometheus: cannot listen there (port in use) */
	EXIT_NO_CGROUP = 15,          /* --cgroup: no such path */
	EXIT_NOT_CGROUP2 = 16,        /* --cgroup: not a cgroup v2 directory (or none mounted) */
	EXIT_NO_CONTAINER = 17,       /* --cgroup: no container or pod with that id (or several) */
	EXIT_SQLITE_OPEN = 18,        /* --sqlite: the file cannot be created or opened as SQLite */
	EXIT_REPORT_INPUT = 19,       /* report: the run's file cannot be read */
	EXIT_REPORT_NOT_NDJSON = 20,  /* report: a line is not a JSON object with a "type" */
	EXIT_REPORT_NO_SUMMARY = 21,  /* report: no summary line (the run was cut short) */
};

#endif
