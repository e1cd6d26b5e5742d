// SPDX-License-Identifier: GPL-2.0
#include "probes/probe_links.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util/grow.h"

/* Linux 6.6's BPF_TRACE_UPROBE_MULTI and its link_create attributes, which the headers of
 * libbpf 1.1 (Debian bookworm) predate; the layout is the kernel's stable uapi. */
#define TRACE_UPROBE_MULTI 48
#define UPROBE_MULTI_RETURN 1u

struct uprobe_multi_link_create {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	uint64_t path;
	uint64_t offsets;
	uint64_t ref_ctr_offsets;
	uint64_t cookies;
	uint32_t cnt;
	uint32_t uprobe_flags;
	uint32_t pid;
};

static int create_multi_link(int prog_fd, pid_t pid, const char *path, const uint64_t *offsets,
			     const uint64_t *cookies, size_t count, bool retprobe)
{
	struct uprobe_multi_link_create attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = (uint32_t)prog_fd;
	attr.attach_type = TRACE_UPROBE_MULTI;
	attr.path = (uint64_t)(uintptr_t)path;
	attr.offsets = (uint64_t)(uintptr_t)offsets;
	attr.cookies = (uint64_t)(uintptr_t)cookies;
	attr.cnt = (uint32_t)count;
	attr.uprobe_flags = retprobe ? UPROBE_MULTI_RETURN : 0;
	attr.pid = pid > 0 ? (uint32_t)pid : 0;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : (int)fd;
}

/* A one-instruction program of the multi-uprobe type, linked to the first byte of our own
 * executable (a non-executable page: nothing is ever hit) and closed again. */
static bool probe_multi_support(void)
{
	struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = TRACE_UPROBE_MULTI);
	uint64_t offset = 0;
	int prog, link;

	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "probe_multi", "GPL", ret0, 2, &opts);
	if (prog < 0)
		return false;
	link = create_multi_link(prog, getpid(), "/proc/self/exe", &offset, NULL, 1, false);
	close(prog);
	if (link < 0)
		return false;
	close(link);
	return true;
}

bool probe_links__multi_supported(void)
{
	static int supported = -1;

	if (supported < 0)
		supported = probe_multi_support();
	return supported;
}

static bool is_uprobe_program(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	return !strncmp(sec, "uprobe", 6) || !strncmp(sec, "uretprobe", 9);
}

void probe_links__prepare(struct bpf_object *obj)
{
	struct bpf_program *prog;

	if (!probe_links__multi_supported())
		return;
	bpf_object__for_each_program(prog, obj)
		if (is_uprobe_program(prog))
			bpf_program__set_expected_attach_type(prog, TRACE_UPROBE_MULTI);
}

static int keep(struct probe_links *l, pid_t pid, int multi_fd, struct bpf_link *link)
{
	if (grow_for_one((void **)&l->items, &l->capacity, l->count, sizeof(*l->items)))
		return -ENOMEM;
	l->items[l->count++] = (struct probe_link){ .pid = pid, .multi_fd = multi_fd, .link = link };
	return 0;
}

static void detach(struct probe_link *p)
{
	if (p->multi_fd >= 0)
		close(p->multi_fd);
	else
		bpf_link__destroy(p->link);
}

static int link_fd(const struct probe_link *p)
{
	return p->multi_fd >= 0 ? p->multi_fd : bpf_link__fd(p->link);
}

static bool is_listed(int fd, const struct probe_link *links, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (link_fd(&links[i]) == fd)
			return true;
	return false;
}

struct detach_work {
	struct probe_link *links;
	size_t count;
	size_t next;                 /* taken atomically by the workers */
	bool close_only;             /* the grandchild's: it holds the fds alone */
};

static void *detach_worker(void *arg)
{
	struct detach_work *w = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) < w->count) {
		if (w->close_only)
			close(link_fd(&w->links[i]));
		else
			detach(&w->links[i]);
	}
	return NULL;
}

/* Each link's removal waits for grace periods, which overlap when many threads remove links
 * at once (measured: 51 ms a link one by one, 4 ms with 32 threads, 1.2 ms with 64 on 200).
 * Returns once every link is gone. */
static void detach_in_parallel(struct probe_link *links, size_t count, bool close_only)
{
	enum { WORKERS = 64 };
	struct detach_work work = { links, count, 0, close_only };
	pthread_t workers[WORKERS];
	int started = 0;

	while (started < WORKERS && (size_t)started + 1 < count &&
	       !pthread_create(&workers[started], NULL, detach_worker, &work))
		started++;
	detach_worker(&work);
	for (int i = 0; i < started; i++)
		pthread_join(workers[i], NULL);
}

/* The grandchild's part: keeps only the links' fds, waits for the word to go, then closes
 * them all in parallel. */
_Noreturn static void hold_until_released(struct probe_link *links, size_t count, int go)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	char word;

	setsid();   /* out of the terminal's process group: Ctrl-C is not for it */
	while (dir && (e = readdir(dir))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd != go && fd != dirfd(dir) && !is_listed(fd, links, count))
			close(fd);   /* stdout too: a reader of our output sees its end now */
	}
	if (read(go, &word, 1) < 0)
		_exit(1);
	detach_in_parallel(links, count, true);
	_exit(0);
}

/* The kernel waits for grace periods to remove a link (~51 ms here), so detaching the 10
 * links of one process one by one takes half a second and a trace of 300 processes would
 * take minutes to end. The last references to the links go to a detached grandchild
 * instead: ours are closed at once (a reference less), we carry on (or exit), and the
 * grandchild closes them in parallel. The probes keep firing for their processes until it
 * is done; their counts are not read again. Where no process can be made, the links are
 * detached here, one by one. */
static void detach_in_background(struct probe_link *links, size_t count)
{
	int go[2];
	pid_t child;

	if (!count)
		return;
	if (pipe2(go, O_CLOEXEC) || (child = fork()) < 0) {
		for (size_t i = 0; i < count; i++)
			detach(&links[i]);
		return;
	}
	if (!child) {
		close(go[1]);
		if (fork() == 0)
			hold_until_released(links, count, go[0]);
		_exit(0);
	}
	close(go[0]);
	waitpid(child, NULL, 0);   /* the grandchild is init's to reap */
	for (size_t i = 0; i < count; i++)
		detach(&links[i]);
	close(go[1]);              /* EOF: the grandchild exits */
}

int probe_links__keep(struct probe_links *l, pid_t pid, struct bpf_link *link)
{
	int err = keep(l, pid, -1, link);

	if (err)   /* a link we cannot keep is detached now rather than leaked */
		bpf_link__destroy(link);
	return err;
}

int probe_links__attach(struct probe_links *l, struct bpf_program *prog, pid_t pid,
			const char *path, const uint64_t *offsets, const uint64_t *cookies,
			size_t count, bool retprobe)
{
	if (bpf_program__expected_attach_type(prog) == (enum bpf_attach_type)TRACE_UPROBE_MULTI) {
		int fd = create_multi_link(bpf_program__fd(prog), pid, path, offsets, cookies,
					   count, retprobe);

		if (fd < 0)
			return fd;
		if (keep(l, pid, fd, NULL)) {
			close(fd);
			return -ENOMEM;
		}
		return 0;
	}
	for (size_t i = 0; i < count; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe,
			    .bpf_cookie = cookies ? cookies[i] : 0);
		struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, pid, path,
									 (size_t)offsets[i], &opts);
		int err;

		if (!link)
			return -errno;
		err = probe_links__keep(l, pid, link);
		if (err)
			return err;
	}
	return 0;
}

/* Moves pid's links to the end of l, in the order they came, and out of it; how many. */
static size_t take_links_of(struct probe_links *l, pid_t pid)
{
	size_t kept = 0, taken;

	for (size_t i = 0; i < l->count; i++) {
		if (l->items[i].pid != pid) {
			struct probe_link t = l->items[kept];

			l->items[kept++] = l->items[i];
			l->items[i] = t;
		}
	}
	taken = l->count - kept;
	l->count = kept;
	return taken;
}

size_t probe_links__release(struct probe_links *l, pid_t pid)
{
	size_t released = take_links_of(l, pid);

	detach_in_background(l->items + l->count, released);
	return released;
}

size_t probe_links__release_now(struct probe_links *l, pid_t pid)
{
	size_t released = take_links_of(l, pid);

	detach_in_parallel(l->items + l->count, released, false);
	return released;
}

void probe_links__destroy(struct probe_links *l)
{
	detach_in_background(l->items, l->count);
	free(l->items);
	*l = (struct probe_links){ 0 };
}
