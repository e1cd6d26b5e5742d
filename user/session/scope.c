// SPDX-License-Identifier: GPL-2.0
#include "session/scope.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "model/exit_codes.h"
#include "probes/scope/scope_tracer.h"
#include "target/cgroup2.h"
#include "target/cgroup_labels.h"
#include "target/procinfo.h"

#define SCOPE_CGROUPS_MAX 256     /* bpf/scope.bpf.c's scope_cgroups */
#define SCOPE_MAX_DEPTH 32        /* cgroup levels below a scope directory scanned */

struct scope {
	const struct scope_options *opts;
	char *dirs[SCOPE_CGROUPS_MAX];   /* absolute directories under the cgroup2 mount */
	uint64_t ids[SCOPE_CGROUPS_MAX];
	size_t count;
	struct scope_tracer *tracer;
	char self_exe[PATH_MAX];      /* our own executable: never traced */
	uint64_t dropped_seen;        /* ring buffer drops already warned of */
};

static bool is_cgroup2(const char *dir)
{
	struct statfs fs;

	return !statfs(dir, &fs) && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int add_dir(struct scope *s, const char *dir)
{
	struct stat st;

	if (s->count >= SCOPE_CGROUPS_MAX) {
		fprintf(stderr, "memtrace-bpf: more than %d cgroups in the scope\n",
			SCOPE_CGROUPS_MAX);
		return EXIT_USAGE;
	}
	if (stat(dir, &st) || !(s->dirs[s->count] = strdup(dir)))
		return EXIT_INTERNAL;
	s->ids[s->count++] = st.st_ino;   /* a cgroup v2 id is its directory's inode number */
	return EXIT_OK;
}

/* A container id (64 hex digits, or a prefix of at least 4) or a pod uid. */
static bool looks_like_id(const char *arg)
{
	size_t n = strlen(arg);

	if (n >= 4 && n <= CONTAINER_ID_LEN && strspn(arg, "0123456789abcdef") == n)
		return true;
	return n == POD_UID_LEN && strspn(arg, "0123456789abcdef-_") == n;
}

struct id_search {
	const char *id;
	size_t id_len;
	size_t mount_len;
	char found[PATH_MAX];
	int matches;
};

static bool names_id(const struct id_search *q, const char *dir)
{
	struct cgroup_labels l;
	char pod[POD_UID_LEN + 1];

	cgroup_labels__parse(dir + q->mount_len, &l);
	if (strcspn(q->id, "-_") < q->id_len) {   /* a pod uid */
		for (size_t i = 0; i <= POD_UID_LEN; i++)
			pod[i] = q->id[i] == '_' ? '-' : q->id[i];
		return !strcmp(l.pod, pod);
	}
	return l.container[0] && !strncmp(l.container, q->id, q->id_len);
}

/* The outermost directories whose path names the id (a container's scope, a pod's slice). */
static void search_id(struct id_search *q, const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;
	char child[PATH_MAX];

	if (names_id(q, dir)) {
		if (!q->matches++)
			snprintf(q->found, sizeof(q->found), "%s", dir);
		return;
	}
	if (depth > 16 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", dir, e->d_name) < (int)sizeof(child))
			search_id(q, child, depth + 1);
	}
	closedir(d);
}

static int resolve(struct scope *s, const char *arg, const char *mount)
{
	char path[PATH_MAX];

	if (looks_like_id(arg) && !is_dir(arg)) {
		struct id_search q = { .id = arg, .id_len = strlen(arg), .mount_len = strlen(mount) };

		search_id(&q, mount, 0);
		if (q.matches == 1)
			return add_dir(s, q.found);
		fprintf(stderr, "memtrace-bpf: --cgroup %s: %s under %s\n", arg,
			q.matches ? "several containers or pods match" : "no container or pod with that id",
			mount);
		return EXIT_NO_CONTAINER;
	}
	/* A directory as given, else a path as /proc/PID/cgroup shows it (below the mount). */
	if (is_dir(arg) && realpath(arg, path)) {
		if (!is_cgroup2(path)) {
			fprintf(stderr, "memtrace-bpf: --cgroup %s: not a cgroup v2 directory (cgroup2 "
				"is mounted at %s)\n", arg, mount);
			return EXIT_NOT_CGROUP2;
		}
		return add_dir(s, path);
	}
	snprintf(path, sizeof(path), "%s/%s", mount, arg[0] == '/' ? arg + 1 : arg);
	if (is_dir(path) && is_cgroup2(path))
		return add_dir(s, path);
	fprintf(stderr, "memtrace-bpf: --cgroup %s: no such cgroup (neither a directory nor a "
		"path under %s)\n", arg, mount);
	return EXIT_NO_CGROUP;
}

int scope__open(struct scope **out, const struct scope_options *opts)
{
	struct scope *s = calloc(1, sizeof(*s));
	const char *mount = cgroup2__mount();
	ssize_t n;
	int code = EXIT_OK;

	*out = NULL;
	if (!s)
		return EXIT_INTERNAL;
	s->opts = opts;
	n = readlink("/proc/self/exe", s->self_exe, sizeof(s->self_exe) - 1);
	s->self_exe[n > 0 ? n : 0] = 0;
	if (opts->cgroup_count && !mount) {
		fprintf(stderr, "memtrace-bpf: --cgroup: no cgroup v2 hierarchy is mounted\n");
		code = EXIT_NOT_CGROUP2;
	}
	for (size_t i = 0; !code && i < opts->cgroup_count; i++)
		code = resolve(s, opts->cgroups[i], mount);
	if (!code)
		code = scope_tracer__open(&s->tracer, opts->all, s->ids, s->count);
	if (code) {
		scope__free(s);
		return code;
	}
	*out = s;
	return EXIT_OK;
}

static bool listed(const char *const *list, size_t count, const char *value)
{
	for (size_t i = 0; i < count; i++)
		if (!strcmp(list[i], value))
			return true;
	return false;
}

bool scope__wanted(const struct scope *s, pid_t pid)
{
	const struct scope_options *o = s->opts;
	char link[32], exe[PATH_MAX], comm[32];
	const char *base;
	ssize_t n;

	if (pid == getpid())
		return false;
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = 0;
	if (!strcmp(exe, s->self_exe))
		return false;
	if (o->comm_count && (!procinfo__comm(pid, comm, sizeof(comm)) ||
			      !listed(o->comms, o->comm_count, comm)))
		return false;
	base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	return !o->exe_count || listed(o->exes, o->exe_count, exe) ||
	       listed(o->exes, o->exe_count, base);
}

static void scan_procs_file(const char *dir, scope_add_fn fn, void *ctx)
{
	char path[PATH_MAX + 16];
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (!(f = fopen(path, "re")))
		return;
	while (fscanf(f, "%d", &pid) == 1)
		if (pid > 0)
			fn(ctx, pid, false);
	fclose(f);
}

static void scan_tree(const char *dir, int depth, scope_add_fn fn, void *ctx)
{
	char child[PATH_MAX];
	struct dirent *e;
	DIR *d;

	scan_procs_file(dir, fn, ctx);
	if (depth > SCOPE_MAX_DEPTH || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.' &&
		    snprintf(child, sizeof(child), "%s/%s", dir, e->d_name) < (int)sizeof(child))
			scan_tree(child, depth + 1, fn, ctx);
	closedir(d);
}

static void scan_host(scope_add_fn fn, void *ctx)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]))
			fn(ctx, atoi(e->d_name), false);
	closedir(d);
}

void scope__scan(struct scope *s, scope_add_fn fn, void *ctx)
{
	if (s->opts->all) {
		scan_host(fn, ctx);
		return;
	}
	for (size_t i = 0; i < s->count; i++)
		scan_tree(s->dirs[i], 0, fn, ctx);
}

void scope__poll(struct scope *s, scope_add_fn fn, void *ctx)
{
	uint64_t dropped;

	scope_tracer__drain(s->tracer, fn, ctx);
	dropped = scope_tracer__dropped(s->tracer);
	if (dropped > s->dropped_seen) {
		fprintf(stderr, "memtrace-bpf: warning: %llu fork/exec events of the scope lost (ring "
			"buffer full)%s\n", (unsigned long long)(dropped - s->dropped_seen),
			s->opts->all ? ": processes started then are not traced" :
			"; the rescan of cgroup.procs finds those processes");
		s->dropped_seen = dropped;
	}
	/* A process written into cgroup.procs neither forks nor execs there: the rescan sees it
	 * (a file per cgroup; the host scope needs none, its processes all fork). */
	if (!s->opts->all)
		scope__scan(s, fn, ctx);
}

void scope__describe(const struct scope *s, char *buf, size_t size)
{
	size_t used = 0;
	const char *mount = cgroup2__mount();
	size_t mlen = mount ? strlen(mount) : 0;

	if (s->opts->all) {
		snprintf(buf, size, "the host");
		return;
	}
	buf[0] = 0;
	for (size_t i = 0; i < s->count && used < size; i++) {
		const char *rel = s->dirs[i] + (mount && !strncmp(s->dirs[i], mount, mlen) ? mlen : 0);
		int n = snprintf(buf + used, size - used, "%scgroup %s", i ? ", " : "",
				 *rel ? rel : "/");

		used += n > 0 ? (size_t)n : 0;
	}
}

void scope__free(struct scope *s)
{
	if (!s)
		return;
	scope_tracer__destroy(s->tracer);
	for (size_t i = 0; i < s->count; i++)
		free(s->dirs[i]);
	free(s);
}
