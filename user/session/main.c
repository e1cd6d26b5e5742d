// SPDX-License-Identifier: GPL-2.0
/* memtrace-bpf: parse args, check the ground, load, attach, poll, summarize. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis/runner.h"
#include "cli/analysis_cli.h"
#include "cli/cli.h"
#include "model/exit_codes.h"
#include "model/group_report.h"
#include "model/severity.h"
#include "output/output.h"
#include "report/report_command.h"
#include "output/prometheus/prometheus.h"
#include "probes/alloc/alloc_stacks.h"
#include "probes/alloc/alloc_tracer.h"
#include "probes/frames/frame_blocks.h"
#include "probes/frames/frame_tracer.h"
#include "probes/oom/oom_tracer.h"
#include "probes/gpu/gpu_tracer.h"
#include "probes/python/python_tracer.h"
#include "session/gpu_stacks.h"
#include "session/growth_report.h"
#include "session/lifetime_report.h"
#include "session/python_attribution.h"
#include "python_stack.h"
#include "session/launch.h"
#include "session/preflight.h"
#include "session/registry.h"
#include "session/windows.h"
#include "session/scope.h"
#include "target/needed_libraries.h"
#include "target/procinfo.h"

struct session {
	struct options opts;
	struct symtab_cache *cache;
	struct alloc_tracer *tracer;
	struct python_tracer *python;
	struct frame_tracer *frames;          /* NULL without --frame */
	struct gpu_tracer *gpu;               /* NULL if its programs did not load */
	struct scope *scope;                  /* --cgroup, --all; NULL otherwise */
	struct oom_tracer *oom;               /* NULL where the kernel's tracepoint is missing */
	bool scope_full_warned;
	struct analysis_runner *analysis;
	struct registry registry;
	struct stack_snapshot stacks;         /* every process's stacks, read once per poll */
	struct heap_growth_snapshot growth;   /* every process's heap growth, likewise */
	struct group_totals groups;           /* a scope's per-container totals of a poll */
	struct output *outputs[7];             /* console or json, json file, prometheus, pprof, folded,
						* sqlite, html */
	int output_count;
	uint64_t start_ns;
	bool launched;                        /* -- COMMAND: our exit status follows its */
	pid_t command_pid;
	int command_status;                   /* its waitpid status, once reaped */
	uint64_t fail_fast_ns;                /* --fail-fast sent it SIGTERM then; 0: not */
	bool fail_fast_killed;
	bool command_reaped;
	bool all_stacks;                      /* an output wants every stack in the summary */
	size_t interval_stack_names;          /* interval stacks an output wants symbolized */
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGCHLD only has to interrupt the sleep, so that a launched command's exit is seen now. */
static void on_child_signal(int sig)
{
	(void)sig;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A process to trace: its registry entry, with its symbolizer and analysis state. */
static struct traced_process *track_process(struct session *s, pid_t pid, bool is_child)
{
	struct traced_process *p = registry__add(&s->registry, pid);

	if (!p)
		return NULL;
	p->is_child = is_child;
	p->attach_ns = p->last_report_ns = now_ns();
	session_windows__init(p, s->opts.overhead_budget, p->attach_ns);
	symbolizer__init(&p->sym, pid, s->cache);
	symbolizer__refresh(&p->sym);
	p->analysis = analysis_process__new(s->analysis, pid);
	if (!p->analysis) {
		registry__remove(&s->registry, p);
		return NULL;
	}
	return p;
}

/* Every collector the session runs, on one process. modules: the files to probe (NULL: the
 * files it maps now). Returns an exit_code. */
static int attach_collectors(struct session *s, pid_t pid, const char *const *modules)
{
	int code = alloc_tracer__attach(s->tracer, pid, modules);
	struct traced_process *p = registry__find(&s->registry, pid);

	if (!code)
		code = frame_tracer__attach(s->frames, pid, modules);
	if (!code && !modules)   /* a launched command: once it has exec'ed */
		python_tracer__attach(s->python, pid, false);
	if (!code && !modules && p)   /* CUDA libraries loaded later: at a poll (fill_report) */
		gpu_tracer__scan(s->gpu, pid, &p->sym.maps);
	return code;
}

/* Detaches pid's probes and deletes its entries in every kernel map. */
static void release_collectors(struct session *s, pid_t pid)
{
	alloc_tracer__release(s->tracer, pid);
	frame_tracer__release(s->frames, pid);
	python_tracer__release(s->python, pid);
	gpu_tracer__release(s->gpu, pid);
}

static int attach_pids(struct session *s)
{
	for (size_t i = 0; i < s->opts.pid_count; i++) {
		pid_t pid = s->opts.pids[i];
		int code;

		if (registry__find(&s->registry, pid))
			continue;   /* given twice */
		if (!track_process(s, pid, false))
			return EXIT_INTERNAL;
		code = attach_collectors(s, pid, NULL);
		if (code)
			return code;
	}
	return EXIT_OK;
}

/* A process of the scope: traced from now on; one that ran a new program is looked at again
 * (its Python, its name, its mappings). */
static void trace_scope_process(void *ctx, pid_t pid, bool exec)
{
	struct session *s = ctx;
	struct traced_process *p = registry__find(&s->registry, pid);

	if (p) {
		if (exec && !p->exited) {
			procinfo__comm(pid, p->comm, sizeof(p->comm));
			symbolizer__refresh(&p->sym);
			python_tracer__release(s->python, pid);
			python_tracer__attach(s->python, pid, false);
		}
		return;
	}
	if (!scope__wanted(s->scope, pid))
		return;
	if (s->registry.count >= s->registry.limit) {
		if (!s->scope_full_warned)
			fprintf(stderr, "memtrace-bpf: warning: not tracing PID %d and others of the "
				"scope: %zu processes traced already (--max-processes)\n", pid,
				s->registry.count);
		s->scope_full_warned = true;
		return;
	}
	p = track_process(s, pid, false);
	if (p && attach_collectors(s, pid, NULL)) {
		p->exited = true;   /* gone meanwhile, or unreadable: summarized, then released */
		p->exit_ns = now_ns();
	}
}

static int attach_scope(struct session *s)
{
	int code = scope__open(&s->scope, &s->opts.scope);

	python_tracer__quiet_not_python(s->python);
	if (!code)
		scope__scan(s->scope, trace_scope_process, s);
	return code;
}

static bool maps_contain(const struct procmaps *maps, const char *path)
{
	for (size_t i = 0; i < maps->count; i++)
		if (!strcmp(maps->mappings[i].path, path))
			return true;
	return false;
}

/* Right after exec the kernel is still mapping the executable, and the dynamic loader maps
 * libc a little later: watch for both, briefly, so stacks of a short-lived command can be
 * symbolized after it is gone. */
static void await_mappings(struct symbolizer *sym, const char *executable, const char *libc)
{
	char real_executable[4096];
	const struct timespec pause = { .tv_nsec = 500000 };

	if (!realpath(executable, real_executable))
		snprintf(real_executable, sizeof(real_executable), "%s", executable);
	for (int i = 0; i < 400; i++) {
		if (symbolizer__refresh(sym))
			return;
		if (maps_contain(&sym->maps, real_executable) && maps_contain(&sym->maps, libc))
			return;
		nanosleep(&pause, NULL);
	}
}

/* The CUDA libraries the command links: probed before it runs, so its first calls count. */
static void attach_gpu_before_run(struct session *s, pid_t pid, const char *executable)
{
	char **paths = NULL;
	size_t count = 0;

	if (s->gpu && !needed_libraries__list(executable, &paths, &count))
		gpu_tracer__attach_files(s->gpu, pid, paths, count);
	file_paths__free(paths, count);
}

/* Starts the command stopped before exec, attaches to the files it will map, lets it run. */
static int launch_command(struct session *s)
{
	char executable[4096], libc[4096];
	const char *modules[3] = { 0 };
	struct traced_process *p;
	struct launched child;
	int n = 0, err, code;

	if (!launch__resolve(s->opts.command[0], executable, sizeof(executable))) {
		fprintf(stderr, "memtrace-bpf: command not found: %s\n", s->opts.command[0]);
		return EXIT_LAUNCH;
	}
	modules[n++] = executable;
	if (launch__own_libc(libc, sizeof(libc)))
		modules[n++] = libc;
	err = launch__start(s->opts.command, &child);
	if (err) {
		fprintf(stderr, "memtrace-bpf: cannot start %s: %s\n", s->opts.command[0],
			strerror(-err));
		return EXIT_LAUNCH;
	}
	s->launched = true;
	s->command_pid = child.pid;
	p = track_process(s, child.pid, true);
	code = p ? attach_collectors(s, child.pid, modules) : EXIT_INTERNAL;
	if (code) {
		close(child.go_fd);
		close(child.exec_error_fd);
		waitpid(child.pid, NULL, 0);
		return code;
	}
	attach_gpu_before_run(s, child.pid, executable);
	err = launch__go(&child);
	if (err) {
		fprintf(stderr, "memtrace-bpf: cannot run %s: %s\n", s->opts.command[0],
			strerror(-err));
		waitpid(child.pid, NULL, 0);
		return EXIT_LAUNCH;
	}
	/* The exec gave the child its own name and mappings: read them now, since a short
	 * command may be gone before the first report. */
	procinfo__comm(child.pid, p->comm, sizeof(p->comm));
	await_mappings(&p->sym, executable, libc);
	p->start_time = procinfo__start_time(child.pid);
	python_tracer__attach(s->python, child.pid, true);
	return EXIT_OK;
}

static void update_exited(struct session *s, struct traced_process *p)
{
	if (p->exited)
		return;
	if (p->is_child) {
		p->exited = waitpid(p->pid, &p->wait_status, WNOHANG) == p->pid;
		if (p->exited && s->launched) {
			s->command_status = p->wait_status;
			s->command_reaped = true;
		}
	} else {
		p->exited = !procinfo__alive(p->pid) ||
			    procinfo__start_time(p->pid) != p->start_time;
	}
	if (p->exited)
		p->exit_ns = now_ns();
}

static void fill_report(struct session *s, struct traced_process *p, struct process_report *r,
			uint64_t now)
{
	uint64_t live;

	memset(r, 0, sizeof(*r));
	r->pid = p->pid;
	snprintf(r->comm, sizeof(r->comm), "%s", p->comm);
	r->exited = p->exited;
	r->native_traced = !s->opts.light;
	r->python_stack_sample_bytes = s->opts.py_stack_sample;
	if (r->native_traced && alloc_tracer__windowed(s->tracer))
		session_windows__report(p, now, r);
	r->elapsed_ns = (p->exited ? p->exit_ns : now) - p->attach_ns;
	r->attach_ns = p->attach_ns;
	r->attach_realtime_ns = realtime_ns() - (now_ns() - p->attach_ns);
	r->interval_ns = now - p->last_report_ns;
	alloc_tracer__read(s->tracer, p->pid, &r->native, &r->mmap);
	native_totals__subtract(&r->native_delta, &r->native, &p->native);
	mmap_totals__subtract(&r->mmap_delta, &r->mmap, &p->mmap);
	if (!p->exited) {
		r->rss_bytes = procinfo__rss_bytes(p->pid);
		/* Its mappings change only through the syscalls counted in the kernel: no need to
		 * re-read /proc/PID/maps at every poll when none was made. */
		if (!alloc_tracer__mappings_traced(s->tracer) || r->mmap_delta.mmaps ||
		    r->mmap_delta.munmaps || r->mmap_delta.mremaps) {
			symbolizer__refresh(&p->sym);
			gpu_tracer__scan(s->gpu, p->pid, &p->sym.maps);
		}
		p->last_running = r->native;
		p->seen_running = true;
	} else if (p->seen_running) {
		r->last_running = &p->last_running;
	}
	live = native_live_bytes(&r->native);
	if (live > p->peak.live_bytes)
		p->peak = (struct native_peak){ live, native_live_allocs(&r->native), r->elapsed_ns };
	r->peak = p->peak;
	p->native = r->native;
	p->mmap = r->mmap;
	p->last_report_ns = now;
}

/* The detectors follow the top stacks by live bytes at every interval. */
#define ANALYSIS_STACKS 32

static void symbolize_for_analysis(void *ctx, pid_t pid, struct stack_report *st)
{
	struct session *s = ctx;
	struct traced_process *p = registry__find(&s->registry, pid);

	if (!p)
		return;
	stack_report__symbolize(s->tracer, &p->sym, st);
	python_attribution__fill(s->python, s->tracer, pid, st);
}

static bool top_stack_for_analysis(void *ctx, pid_t pid, bool in_frame, int *stack_id,
				   uint64_t *bytes)
{
	struct session *s = ctx;
	struct traced_process *p = registry__find(&s->registry, pid);

	if (!p || !s->opts.stacks)
		return false;
	if (in_frame) {
		if (stack_walk__grown(s->tracer, pid, &p->marks, stack_id, bytes))
			return false;
		/* Nothing grew since the interval's marks: an interval report came between the
		 * frame's allocations and its end, and its top grower holds them. */
		if (*stack_id < 0 || !*bytes) {
			*stack_id = p->marks.top_id;
			*bytes = p->marks.top_bytes;
		}
	} else {
		*stack_id = p->marks.top_id;
		*bytes = p->marks.top_bytes;
	}
	return *stack_id >= 0 && *bytes;
}

static void retained_by_for_analysis(void *ctx, pid_t pid, const char *type_name,
				     struct retainer_report *out)
{
	struct session *s = ctx;

	python_tracer__retained_by(s->python, pid, type_name, out);
}

static int live_blocks_for_analysis(void *ctx, pid_t pid, uint64_t since_ns, uint64_t until_ns,
				    struct frame_block **out, size_t *count)
{
	struct session *s = ctx;

	return frame_blocks__read(s->tracer, pid, since_ns, until_ns, out, count);
}

static void on_frame(void *ctx, const struct frame_report *in)
{
	struct session *s = ctx;
	struct traced_process *p = registry__find(&s->registry, in->pid);
	struct frame_report f = *in;

	if (!p)
		return;
	f.gc_known = python_tracer__gc_runs(s->python, f.pid, f.start_ns, f.end_ns, &f.gc_runs);
	analysis_runner__frame(s->analysis, p->analysis, &f);
}

/* Not symbolized here: the analysis asks for the few stacks it reports (hooks above). */
static void report_interval(struct session *s, struct traced_process *p, uint64_t now)
{
	struct process_report r;

	fill_report(s, p, &r, now);
	if (s->opts.stacks)
		stack_walk__interval(&s->stacks, p->pid, ANALYSIS_STACKS, &p->marks, &r.stacks,
				     &r.stack_count);
	for (size_t i = 0; i < r.stack_count && i < s->interval_stack_names; i++)
		stack_report__symbolize(s->tracer, &p->sym, &r.stacks[i]);
	r.python = python_tracer__report(s->python, p->pid, false, false);
	r.gpu = gpu_tracer__report(s->gpu, p->pid, false);
	if (r.python && (r.mmap_delta.brks || r.mmap_delta.mmaps))
		growth_report__name_new(s->python, &s->growth, p->pid);
	if (r.python)
		python_attribution__name(s->python, s->tracer, p->pid, r.stacks, r.stack_count);
	analysis_runner__interval(s->analysis, p->analysis, &r);
	for (int o = 0; o < s->output_count; o++)
		output__interval(s->outputs[o], &r);
	if (s->scope && group_totals__add(&s->groups, &r))
		fprintf(stderr, "memtrace-bpf: warning: out of memory for the container totals\n");
	process_report__free_stacks(&r);
}

static uint64_t temporary_ns(const struct analysis_options *opts)
{
	return opts->temporary_ns ? opts->temporary_ns : ANALYSIS_TEMPORARY_NS;
}

static void report_summary(struct session *s, struct traced_process *p, uint64_t now)
{
	struct lifetime_summary lifetimes = { 0 };
	struct process_report r;
	struct aged_report *aged = NULL;
	size_t aged_count = 0, every, top = 0;

	fill_report(s, p, &r, now);
	alloc_stacks__top(s->tracer, &s->stacks, p->pid, &p->sym,
			  s->all_stacks ? ALLOC_STACKS_EVERY : s->opts.top_stacks, &r.stacks,
			  &r.stack_count);
	/* Every stack for the outputs that asked; the --top live ones (first) for the rest. */
	every = r.stack_count;
	while (top < every && top < s->opts.top_stacks && stack_report__live(&r.stacks[top]))
		top++;
	r.stack_count = top;
	for (size_t i = 0; i < every; i++)
		python_attribution__fill(s->python, s->tracer, p->pid, &r.stacks[i]);
	r.python = python_tracer__report(s->python, p->pid, true, p->exited);
	r.gpu = gpu_stacks__name(gpu_tracer__report(s->gpu, p->pid, s->opts.stacks), s->tracer,
				 s->python, &p->sym, s->opts.top_stacks);
	growth_report__fill(&r, &s->growth, s->tracer, s->python, &p->sym, s->opts.top_stacks);
	if (s->opts.analysis.leak_age_ns)
		outstanding__aged(s->tracer, p->pid, s->opts.analysis.leak_age_ns, &p->sym,
				  s->opts.top_stacks, &aged, &aged_count);
	analysis_runner__summary(s->analysis, p->analysis, &r, aged, aged_count);
	if (s->opts.stacks)          /* lifetimes are kept per stack */
		lifetime_report__fill(&lifetimes, &r, &s->stacks, s->tracer, s->python, &p->sym,
				      temporary_ns(&s->opts.analysis), s->opts.top_stacks);
	for (int o = 0; o < s->output_count; o++) {
		r.stack_count = s->outputs[o]->all_stacks ? every : top;
		output__summary(s->outputs[o], &r);
	}
	r.stack_count = every;
	process_report__free_stacks(&r);
	process_report__free_growth(&r);
	lifetime_report__free(&lifetimes);
	aged_reports__free(aged, aged_count);
}

/* The kernel's OOM killer picked p: its last snapshot, from what the maps and this process
 * hold (the victim is going and may not be readable any more), in an oom event now. */
static void report_oom(struct session *s, struct traced_process *p, const struct oom_victim *v)
{
	struct process_report r = { .pid = p->pid, .native_traced = !s->opts.light };
	uint64_t now = now_ns();
	size_t every = 0, live = 0;

	/* While it can still be read: what it mapped since the last poll (an exec, say). */
	if (!p->exited) {
		char comm[sizeof(p->comm)];

		symbolizer__refresh(&p->sym);
		if (procinfo__comm(p->pid, comm, sizeof(comm)))
			memcpy(p->comm, comm, sizeof(comm));
	}
	snprintf(r.comm, sizeof(r.comm), "%s", p->comm);
	r.elapsed_ns = now - p->attach_ns;
	if (r.native_traced && alloc_tracer__windowed(s->tracer))
		session_windows__report(p, now, &r);
	r.rss_bytes = v->anon_rss_bytes + v->file_rss_bytes + v->shmem_rss_bytes;
	alloc_tracer__collect(s->tracer);
	alloc_tracer__read(s->tracer, p->pid, &r.native, &r.mmap);
	if (s->opts.stacks) {
		stack_snapshot__read(&s->stacks, s->tracer);
		alloc_stacks__top(s->tracer, &s->stacks, p->pid, &p->sym, s->opts.top_stacks,
				  &r.stacks, &every);
	}
	/* The live ones (first): what filled the memory. */
	while (live < every && stack_report__live(&r.stacks[live]))
		python_attribution__fill(s->python, s->tracer, p->pid, &r.stacks[live++]);
	heap_growth__read(s->tracer, &s->growth);
	r.python = python_tracer__report(s->python, p->pid, true, false);
	growth_report__fill(&r, &s->growth, s->tracer, s->python, &p->sym, s->opts.top_stacks);
	r.stack_count = live;
	analysis_runner__oom(s->analysis, p->analysis, v, &r);
	r.stack_count = every;
	process_report__free_stacks(&r);
	process_report__free_growth(&r);
}

/* A victim already seen gone is not summarized yet: its map entries are still there. */
static void on_oom_victim(void *ctx, const struct oom_victim *v)
{
	struct session *s = ctx;
	struct traced_process *p = registry__find(&s->registry, v->pid);

	if (p)
		report_oom(s, p, v);
}

/* OOM kills told since the last look: before exits are looked for, so that a victim's oom
 * event comes before its summary. */
static void drain_oom(struct session *s)
{
	if (s->oom)
		oom_tracer__wait(s->oom, 0, on_oom_victim, s);
}

/* One read of every map for all processes, then a report each: an interval line for those
 * that run, the summary for those that exited since (then released, here and in the kernel). */
static void collect(struct session *s, uint64_t now, bool last)
{
	bool windowed = alloc_tracer__windowed(s->tracer);

	for (size_t i = 0; windowed && i < s->registry.count; i++) {
		struct traced_process *p = s->registry.procs[i];

		if (!p->exited)
			session_windows__tick(s->tracer, p, now, procinfo__rss_bytes(p->pid), last);
	}
	alloc_tracer__collect(s->tracer);
	if (s->opts.stacks)
		stack_snapshot__read(&s->stacks, s->tracer);
	heap_growth__read(s->tracer, &s->growth);
	gpu_tracer__collect(s->gpu);
	for (size_t i = 0; windowed && i < s->registry.count; i++)
		session_windows__judge(s->analysis, &s->stacks, s->registry.procs[i], now);
}

static void summarize_and_release(struct session *s, struct traced_process *p, uint64_t now)
{
	report_summary(s, p, now);
	release_collectors(s, p->pid);
	registry__remove(&s->registry, p);
}

static void report_intervals(struct session *s)
{
	uint64_t now = now_ns();

	if (s->scope)
		scope__poll(s->scope, trace_scope_process, s);
	drain_oom(s);
	for (size_t i = 0; i < s->registry.count; i++)
		update_exited(s, s->registry.procs[i]);
	collect(s, now, false);
	group_totals__reset(&s->groups);
	for (size_t i = 0; i < s->registry.count;) {
		struct traced_process *p = s->registry.procs[i];

		if (p->exited) {   /* removed: the last entry moves into slot i */
			summarize_and_release(s, p, now);
			continue;
		}
		report_interval(s, p, now);
		i++;
	}
	analysis_runner__poll_done(s->analysis, now);
	for (int o = 0; o < s->output_count; o++) {
		if (s->scope)
			output__groups(s->outputs[o], &s->groups);
		output__poll_done(s->outputs[o]);
	}
}

static void report_summaries(struct session *s)
{
	uint64_t now = now_ns();

	drain_oom(s);
	for (size_t i = 0; i < s->registry.count; i++)
		update_exited(s, s->registry.procs[i]);
	collect(s, now, true);
	/* Not released one by one: the tracers' teardown detaches everything at once. */
	for (size_t i = 0; i < s->registry.count; i++)
		report_summary(s, s->registry.procs[i], now);
}

static bool all_exited(struct session *s)
{
	for (size_t i = 0; i < s->registry.count; i++) {
		update_exited(s, s->registry.procs[i]);
		if (!s->registry.procs[i]->exited)
			return false;
	}
	return true;
}

static int cannot_write(const char *path)
{
	if (errno == ENOMEM)
		return EXIT_INTERNAL;
	fprintf(stderr, "memtrace-bpf: cannot write %s: %s\n", path, strerror(errno));
	return EXIT_USAGE;
}

static int open_outputs(struct session *s)
{
	bool json_on_stdout = s->opts.json && !s->opts.json_path;
	/* Several processes (or -f's children to come): a profile each, FILE.PID. */
	bool per_process = s->opts.pid_count > 1 || s->opts.follow_forks ||
			   scope_options__on(&s->opts.scope);

	if (!json_on_stdout)   /* --live: keys from stdin unless a launched command shares it */
		s->outputs[s->output_count++] = s->opts.live ?
			top_output__new(stdout, !s->opts.command) : console_output__new(stdout);
	if (s->opts.json) {
		FILE *f = stdout;

		if (s->opts.json_path && !(f = fopen(s->opts.json_path, "we"))) {
			fprintf(stderr, "memtrace-bpf: cannot write %s: %s\n", s->opts.json_path,
				strerror(errno));
			return EXIT_USAGE;
		}
		s->outputs[s->output_count++] = json_output__new(f, f != stdout, s->opts.json_types,
								  s->opts.json_all_stacks);
	}
	if (s->opts.prometheus.on) {
		int code = prometheus_output__open(&s->opts.prometheus, s->opts.prometheus_top,
						   s->opts.analysis.frame_symbol != NULL,
						   s->opts.max_processes,
						   &s->outputs[s->output_count++]);
		if (code)
			return code;
	}
	if (s->opts.pprof_path &&
	    !(s->outputs[s->output_count++] = pprof_output__new(s->opts.pprof_path, per_process)))
		return cannot_write(s->opts.pprof_path);
	if (s->opts.folded_path &&
	    !(s->outputs[s->output_count++] = folded_output__new(s->opts.folded_path)))
		return cannot_write(s->opts.folded_path);
	if (s->opts.sqlite_path &&
	    !(s->outputs[s->output_count++] = sqlite_output__new(s->opts.sqlite_path)))
		return EXIT_SQLITE_OPEN;
	if (s->opts.html_path &&
	    !(s->outputs[s->output_count++] = html_output__new(s->opts.html_path)))
		return cannot_write(s->opts.html_path);
	for (int o = 0; o < s->output_count; o++) {
		if (!s->outputs[o])
			return EXIT_INTERNAL;
		s->all_stacks |= s->outputs[o]->all_stacks;
		if (s->outputs[o]->interval_stack_names > s->interval_stack_names)
			s->interval_stack_names = s->outputs[o]->interval_stack_names;
	}
	return EXIT_OK;
}

static void install_signal_handlers(void)
{
	struct sigaction stop = { .sa_handler = on_stop_signal };
	struct sigaction child = { .sa_handler = on_child_signal, .sa_flags = SA_NOCLDSTOP };

	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGHUP, &stop, NULL);
	sigaction(SIGCHLD, &child, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* GPU memory is probed in every mode, once a process maps a CUDA library: its calls are rare.
 * A kernel that refuses the programs leaves GPU memory untraced, said with -v. */
static void open_gpu_tracer(struct session *s)
{
	struct gpu_tracer_opts opts = {
		.stacks = s->opts.stacks,
		.max_processes = s->opts.max_processes,
		.stacks_fd = alloc_tracer__map_fd(s->tracer, "stacks"),
		.py_configs_fd = alloc_tracer__map_fd(s->tracer, "py_stack_configs"),
		.py_stacks_fd = alloc_tracer__map_fd(s->tracer, "py_stacks"),
	};
	int err = gpu_tracer__open(&s->gpu, &opts, s->cache);

	if (err && s->opts.verbose)
		fprintf(stderr, "memtrace-bpf: GPU memory not traced: %s\n", strerror(-err));
}

/* Frames are drained at least this often; so are OOM kills under -f (the loop sleeps on the
 * fork buffer then). */
#define FRAME_POLL_NS 50000000ull
#define OOM_POLL_NS 50000000ull

/* -f: a traced process forked child; the kernel counts it already, its probes come now: all
 * the collectors its parent has. */
static void follow_child(void *ctx, pid_t parent, pid_t child)
{
	struct session *s = ctx;
	struct traced_process *p;

	if (s->registry.count >= s->registry.limit) {
		fprintf(stderr, "memtrace-bpf: warning: not following PID %d (forked by PID %d): "
			"%zu processes traced already (--max-processes)\n", child, parent,
			s->registry.count);
		alloc_tracer__release(s->tracer, child);   /* the kernel had counted it */
		return;
	}
	p = track_process(s, child, false);
	if (!p || attach_collectors(s, child, NULL)) {
		fprintf(stderr, "memtrace-bpf: warning: cannot follow PID %d (forked by PID %d)\n",
			child, parent);
		if (p)
			p->exited = true;   /* summarized with what was counted, then released */
		return;
	}
	fprintf(stderr, "memtrace-bpf: following PID %d (forked by PID %d)\n", child, parent);
}

/* A command that ignores SIGTERM this long after --fail-fast sent it is killed. */
#define FAIL_FAST_GRACE_NS (5 * 1000000000ull)

/* --fail-fast: a leak that fails the run ends the launched command now; its exit ends the
 * trace, with the summaries and exit code 10 as usual. */
static void fail_fast(struct session *s, uint64_t now)
{
	if (!s->opts.analysis.fail_fast || !s->launched || s->command_reaped ||
	    analysis_runner__exit_code(s->analysis) != EXIT_LEAK)
		return;
	if (!s->fail_fast_ns) {
		fprintf(stderr, "memtrace-bpf: --fail-fast: a leak of severity %s or worse; "
			"ending PID %d\n", leak_severity_name(s->opts.analysis.fail_on_leak_severity),
			(int)s->command_pid);
		kill(s->command_pid, SIGTERM);
		s->fail_fast_ns = now;
	} else if (!s->fail_fast_killed && now - s->fail_fast_ns >= FAIL_FAST_GRACE_NS) {
		kill(s->command_pid, SIGKILL);
		s->fail_fast_killed = true;
	}
}

static void poll_until_done(struct session *s)
{
	uint64_t deadline = s->opts.duration_ns ? s->start_ns + s->opts.duration_ns : 0;
	uint64_t next = s->start_ns + s->opts.interval_ns;

	/* A scope goes on while empty: its processes may come later. */
	while (!stop_requested && (s->scope || (s->registry.count && !all_exited(s)))) {
		uint64_t now = now_ns();
		uint64_t wake = deadline && deadline < next ? deadline : next;

		frame_tracer__poll(s->frames, on_frame, s);
		if (s->frames && wake > now + FRAME_POLL_NS)
			wake = now + FRAME_POLL_NS;
		struct timespec ts;

		if (deadline && now >= deadline)
			break;
		fail_fast(s, now);
		if (now >= next) {
			report_intervals(s);
			next += s->opts.interval_ns;
			if (next <= now)
				next = now + s->opts.interval_ns;
			continue;
		}
		if (s->opts.follow_forks) {   /* woken by a fork as well */
			if (s->oom && wake > now + OOM_POLL_NS)
				wake = now + OOM_POLL_NS;
			alloc_tracer__wait_forks(s->tracer, (int)((wake - now + 999999) / 1000000),
						 follow_child, s);
			drain_oom(s);
			continue;
		}
		if (s->oom) {   /* woken by an OOM kill as well */
			oom_tracer__wait(s->oom, (int)((wake - now + 999999) / 1000000),
					 on_oom_victim, s);
			continue;
		}
		ts.tv_sec = (time_t)(wake / 1000000000ull);
		ts.tv_nsec = (long)(wake % 1000000000ull);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

static void describe_start(const struct session *s)
{
	enum { NAMED = 8 };   /* a host's worth of PIDs is not one line */

	fprintf(stderr, "memtrace-bpf: tracing");
	if (s->scope) {
		char scope[1024];

		scope__describe(s->scope, scope, sizeof(scope));
		fprintf(stderr, " %s (%zu processes now)", scope, s->registry.count);
	}
	for (size_t i = 0; i < s->registry.count && i < NAMED; i++)
		fprintf(stderr, " PID %d (%s)", s->registry.procs[i]->pid,
			s->registry.procs[i]->comm);
	if (s->registry.count > NAMED)
		fprintf(stderr, " and %zu more", s->registry.count - NAMED);
	fprintf(stderr, "; Ctrl-C to end\n");
}

/* Like time(1) and strace: a launched command's own status, unless ours says more (a leak,
 * a budget, an error). 128+N for a command killed by signal N. */
static int exit_status(const struct session *s, int code)
{
	if (code || !s->command_reaped)
		return code;
	if (WIFEXITED(s->command_status))
		return WEXITSTATUS(s->command_status);
	if (WIFSIGNALED(s->command_status))
		return 128 + WTERMSIG(s->command_status);
	return code;
}

int main(int argc, char **argv)
{
	struct alloc_tracer_opts tracer_opts;
	struct session s = { 0 };
	int code;

	if (argc > 1 && !strcmp(argv[1], "report"))   /* a saved run, not a trace */
		return report_command__main(argc - 1, argv + 1);
	cli__parse(argc, argv, &s.opts);
	registry__init(&s.registry, s.opts.max_processes);
	code = preflight__check(&s.opts);
	if (code)
		goto cleanup;
	install_signal_handlers();
	bpf_messages__init(s.opts.verbose);
	s.cache = symtab_cache__new();
	if (!s.cache) {
		code = EXIT_INTERNAL;
		goto cleanup;
	}
	tracer_opts = (struct alloc_tracer_opts){
		.max_entries = s.opts.max_entries,
		.stack_entries = s.opts.stack_entries,
		.stacks = s.opts.stacks,
		/* --frame's leaks place each live block in the frame that allocated it. */
		.ages = s.opts.analysis.leak_age_ns != 0 || s.opts.analysis.frame_symbol,
		.temporary_ns = temporary_ns(&s.opts.analysis),
		.py_stack_sample = s.opts.py_stack_sample,
		.allocator_probes = !s.opts.light,
		.windowed = !s.opts.exact,
		.follow_forks = s.opts.follow_forks,
		.max_processes = s.opts.max_processes,
	};
	code = alloc_tracer__open(&s.tracer, &tracer_opts, s.cache);
	if (code)
		goto cleanup;
	/* Before the frames: their probes read the event-mode Python counters. */
	s.python = python_tracer__new(s.opts.python_mode, s.cache,
				      alloc_tracer__map_fd(s.tracer, "py_stack_configs"),
				      alloc_tracer__map_fd(s.tracer, "py_stacks"), s.opts.py_stack_depth);
	python_tracer__set_temporary_ns(s.python, temporary_ns(&s.opts.analysis));
	/* Young collections run thousands of times a second in a program allocating briskly:
	 * by default a sample of them (one per 10 ms) is listed with its stack, and over 500
	 * a second the probes pause (counts stay exact); --exact and --frame (gc_runs per
	 * frame) list and time every one. */
	python_tracer__set_gc_young_gap(s.python, s.opts.exact || s.opts.analysis.frame_symbol ?
						  0 : 10 * 1000000ULL);
	python_tracer__set_gc_gated(s.python, !s.opts.exact && !s.opts.analysis.frame_symbol);
	s.oom = oom_tracer__open();
	code = frame_tracer__open(&s.frames, &s.opts.analysis, s.tracer,
				  python_tracer__counters_fd(s.python), s.cache);
	if (code)
		goto cleanup;
	open_gpu_tracer(&s);
	code = open_outputs(&s);
	if (code)
		goto cleanup;
	s.analysis = analysis_runner__new(&s.opts.analysis, s.outputs, s.output_count);
	if (!s.analysis) {
		code = EXIT_USAGE;
		goto cleanup;
	}
	analysis_runner__set_hooks(s.analysis, &(struct analysis_hooks){
		.ctx = &s, .symbolize = symbolize_for_analysis,
		.top_stack = top_stack_for_analysis, .retained_by = retained_by_for_analysis,
		.live_blocks = live_blocks_for_analysis,
	});
	code = s.opts.command ? launch_command(&s) :
	       scope_options__on(&s.opts.scope) ? attach_scope(&s) : attach_pids(&s);
	if (code)
		goto cleanup;
	s.start_ns = now_ns();
	for (size_t i = 0; i < s.registry.count; i++)
		s.registry.procs[i]->attach_ns = s.registry.procs[i]->last_report_ns = s.start_ns;
	analysis_runner__start(s.analysis, s.start_ns);
	describe_start(&s);
	poll_until_done(&s);
	frame_tracer__poll(s.frames, on_frame, &s);
	report_summaries(&s);
	code = exit_status(&s, analysis_runner__exit_code(s.analysis));
cleanup:
	for (int o = 0; o < s.output_count; o++)
		output__destroy(s.outputs[o]);
	registry__free(&s.registry);
	scope__free(s.scope);
	stack_snapshot__free(&s.stacks);
	group_totals__free(&s.groups);
	python_tracer__destroy(s.python);
	heap_growth__free(&s.growth);
	analysis_runner__free(s.analysis);
	frame_tracer__destroy(s.frames);
	oom_tracer__destroy(s.oom);
	gpu_tracer__destroy(s.gpu);
	alloc_tracer__destroy(s.tracer);
	symtab_cache__free(s.cache);
	cli__free(&s.opts);
	return code;
}
