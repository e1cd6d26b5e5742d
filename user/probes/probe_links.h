/* The uprobe links of every probe family, kept per traced process so that a process that
 * exits can be detached alone. Where the kernel has multi-uprobe links (6.6+), all offsets of
 * one program in one file for one process are one link: attached, and detached, in one step
 * (the kernel waits one grace period per link it removes: ~0.1 s here, per uprobe before). */
#ifndef MEMTRACE_PROBE_LINKS_H
#define MEMTRACE_PROBE_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bpf_object;
struct bpf_program;
struct bpf_link;

struct probe_link {
	pid_t pid;
	int multi_fd;                /* a multi-uprobe link, or -1 */
	struct bpf_link *link;       /* a single uprobe, when multi_fd is -1 */
};

struct probe_links {
	struct probe_link *items;
	size_t count, capacity;
};

/* Whether this kernel makes multi-uprobe links; probed once. */
bool probe_links__multi_supported(void);
/* Before the object is loaded: its uprobe programs are made multi-uprobe programs where the
 * kernel has them (a program loaded as one cannot be attached the other way). */
void probe_links__prepare(struct bpf_object *obj);
/* Attaches prog at count offsets of path, for pid (-1: every process), with a cookie per
 * offset (NULL: 0): one link if prepared as a multi-uprobe program, else one per offset.
 * Returns 0 or -errno. */
int probe_links__attach(struct probe_links *l, struct bpf_program *prog, pid_t pid,
			const char *path, const uint64_t *offsets, const uint64_t *cookies,
			size_t count, bool retprobe);
/* Keeps a link made elsewhere (a USDT probe, a tracepoint); detached with pid's links. */
int probe_links__keep(struct probe_links *l, pid_t pid, struct bpf_link *link);
/* Detaches pid's links; how many. They go in the background: their programs may still run
 * for pid a little while, for a process whose counts are not read again. */
size_t probe_links__release(struct probe_links *l, pid_t pid);
/* The same, returning once no program of pid's links can run: for a process traced on,
 * whose counts are then changed from here (a window's end). */
size_t probe_links__release_now(struct probe_links *l, pid_t pid);
void probe_links__destroy(struct probe_links *l);

#endif
