// SPDX-License-Identifier: GPL-2.0
#include "session/preflight.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "model/exit_codes.h"
#include "target/binary_kind.h"
#include "target/procinfo.h"
#include "target/procmaps.h"

/* -p names a process we can attach to: not a thread of one, not a kernel thread. */
static int check_names_a_process(pid_t pid)
{
	pid_t tgid;

	if (!procinfo__alive(pid)) {
		fprintf(stderr, "memtrace-bpf: no such process: %d\n", pid);
		return EXIT_NO_PROCESS;
	}
	if (procinfo__is_kernel_thread(pid)) {
		fprintf(stderr, "memtrace-bpf: PID %d is a kernel thread: nothing to trace\n", pid);
		return EXIT_USAGE;
	}
	tgid = procinfo__tgid(pid);
	if (tgid && tgid != pid) {
		fprintf(stderr, "memtrace-bpf: PID %d is a thread of process %d: give -p %d\n", pid,
			tgid, tgid);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* A kernel helper that a BPF program of ours calls, and the first Linux that lets uprobe
 * programs call it. */
struct kernel_helper {
	enum bpf_func_id id;
	const char *name;
	const char *since;
	bool frames_only;            /* only frames.bpf.c calls it: needed with --frame */
};

static const struct kernel_helper needed_helpers[] = {
	{ BPF_FUNC_task_storage_get, "bpf_task_storage_get", "5.13", false },
	{ BPF_FUNC_task_pt_regs, "bpf_task_pt_regs", "5.15", false },   /* heap growth's stacks */
	{ BPF_FUNC_find_vma, "bpf_find_vma", "5.17", false },           /* the native stack walk */
	{ BPF_FUNC_loop, "bpf_loop", "5.17", false },                   /* the Python stack walk */
	{ BPF_FUNC_get_attach_cookie, "bpf_get_attach_cookie", "5.15", true },
	{ BPF_FUNC_map_lookup_percpu_elem, "bpf_map_lookup_percpu_elem", "5.19", true },
};

/* Whether uprobe (kprobe-type) programs may call helper: a program that calls it is loaded,
 * and the verifier names a helper it does not know or does not allow here. Asked of the
 * kernel, not guessed from its version: distributions backport BPF features. (libbpf 1.1's
 * libbpf_probe_bpf_helper misses the newer kernels' "cannot use helper" wording.) */
static bool uprobes_may_call(enum bpf_func_id helper)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = helper },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof(log),
		    .log_level = 1);
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), &opts);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	return !strstr(log, "invalid func ") && !strstr(log, "unknown func ") &&
	       !strstr(log, "cannot use helper");
}

static int check_kernel_helpers(const struct options *opts)
{
	for (size_t i = 0; i < sizeof(needed_helpers) / sizeof(needed_helpers[0]); i++) {
		const struct kernel_helper *h = &needed_helpers[i];
		struct utsname uts;

		if (h->frames_only && !opts->analysis.frame_symbol)
			continue;
		if (uprobes_may_call(h->id))
			continue;
		if (uname(&uts))
			snprintf(uts.release, sizeof(uts.release), "?");
		fprintf(stderr, "memtrace-bpf: this kernel (%s) is too old: uprobe programs cannot "
			"call %s%s (Linux %s or later is needed)\n", uts.release, h->name,
			h->frames_only ? ", which --frame uses" : "", h->since);
		return EXIT_KERNEL;
	}
	return EXIT_OK;
}

/* The target's memory map, and a Go program's allocator, which is not malloc. */
static int check_target(pid_t pid, bool allocator_probes)
{
	struct binary_kind kind;
	struct procmaps maps;
	char exe[64];
	int err;

	err = procmaps__read(pid, &maps);
	if (err == -EACCES || err == -EPERM) {
		fprintf(stderr, "memtrace-bpf: cannot read /proc/%d/maps: permission denied: the "
			"kernel keeps PID %d's memory from this process (a security module, a "
			"container's policy, or CAP_SYS_PTRACE missing)\n", pid, pid);
		return EXIT_PERMISSION;
	}
	if (err == -ENOENT) {
		fprintf(stderr, "memtrace-bpf: no such process: %d\n", pid);
		return EXIT_NO_PROCESS;
	}
	if (!err)
		procmaps__free(&maps);
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	if (!allocator_probes || binary_kind__read(exe, &kind) || !kind.go)
		return EXIT_OK;
	/* A cgo program maps libc, whose malloc the C code calls: that much is traced. */
	if (kind.dynamic) {
		fprintf(stderr, "memtrace-bpf: warning: PID %d runs a Go program: Go's allocator is "
			"not traced, only malloc from its C code\n", pid);
		return EXIT_OK;
	}
	fprintf(stderr, "memtrace-bpf: PID %d runs a Go program: Go's allocator is not traced\n",
		pid);
	return EXIT_NO_ALLOCATOR;
}

int preflight__check(const struct options *opts)
{
	int code;

	for (size_t i = 0; i < opts->pid_count; i++)
		if ((code = check_names_a_process(opts->pids[i])))
			return code;
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
	if ((code = check_kernel_helpers(opts)))
		return code;
	for (size_t i = 0; i < opts->pid_count; i++)
		if ((code = check_target(opts->pids[i], !opts->light)))
			return code;
	return EXIT_OK;
}
