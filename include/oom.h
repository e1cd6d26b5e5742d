/* Structs shared by bpf/oom.bpf.c and user/probes/oom/oom_tracer.c: plain data, no includes. */
#ifndef MEMTRACE_OOM_H
#define MEMTRACE_OOM_H

/* The kernel's OOM killer picked a task (tracepoint oom/mark_victim); sizes in kB, as the
 * tracepoint gives them (0 on kernels whose tracepoint has only the pid). */
struct oom_victim_event {
	int pid;                        /* the victim task's id (a thread of its process) */
	short oom_score_adj;
	unsigned long long total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb;
};

#endif
