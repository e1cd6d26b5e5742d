/* Structs shared by bpf/python.bpf.c and user/probes/python/ (event mode): plain data, no includes. */
#ifndef MEMTRACE_PYTHON_H
#define MEMTRACE_PYTHON_H

#define PY_EVENT_NAME_LEN 64
#define PY_LIFETIME_BUCKETS 32     /* as include/alloc.h's LIFETIME_BUCKETS */

/* Per traced process, set by the loader before its probes attach. */
struct py_proc_config {
	unsigned long long gc_del_addr;  /* run-time address of PyObject_GC_Del, the probed tp_free */
	unsigned long long temporary_ns; /* --temporary-ms: an instance freed sooner is temporary */
};

struct py_type_key {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long type_addr;
};

/* Instances of one heap type (a class defined in Python or with PyType_FromSpec) seen
 * allocated by PyType_GenericAlloc since attach, and those of them freed by tp_free. */
struct py_type_stats {
	unsigned long long created;
	unsigned long long destroyed;
	unsigned long long bytes_created;
	unsigned long long bytes_destroyed;
	/* 1: the type's tp_free is not PyObject_GC_Del (a non-GC type such as select.epoll):
	 * its frees are never seen, so its instances are not counted at all. */
	unsigned int frees_unseen;
	unsigned int pad;
	char name[PY_EVENT_NAME_LEN];  /* tp_name as read at the first instance */
	/* Lifetimes of the instances freed, as the native stacks keep them (include/alloc.h):
	 * those freed within temporary_ns, the sum, log2 buckets of us; and the most live at
	 * once (created - destroyed at a creation; racing threads may miss a maximum). */
	unsigned long long temporary;
	unsigned long long lifetime_ns_total;
	unsigned long long peak_live;
	unsigned long long lifetime_hist[PY_LIFETIME_BUCKETS];
};

/* A type object that was freed: its counts, moved here under its tp_name so that a class
 * made later at the same address starts from zero (py_dead_types). */
struct py_dead_type_key {
	unsigned int tgid;
	unsigned int pad;
	char name[PY_EVENT_NAME_LEN];
};

struct py_obj_key {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long addr;
};

struct py_obj {
	unsigned long long type_addr;
	unsigned long long bytes;
	unsigned long long born_ns;      /* CLOCK_MONOTONIC, at its allocation */
	int py_stack_id;             /* the code that made it (python_stack.h); < 0: unknown */
	unsigned int pad;
};

/* Instances of one type made by one Python stack (tracemalloc's view, from outside), keyed by
 * the type's name so that a class made again at a reused address adds to the same site. */
struct py_site_key {
	unsigned int tgid;
	int py_stack_id;             /* < 0: made where no Python frame could be read */
	char name[PY_EVENT_NAME_LEN];
};

struct py_site_stats {
	unsigned long long created;
	unsigned long long destroyed;
	unsigned long long bytes_created;
	unsigned long long bytes_destroyed;
};

/* Per traced process, per CPU. */
struct py_event_counters {
	unsigned long long allocs_seen;      /* PyType_GenericAlloc returns */
	unsigned long long allocs_builtin;   /* of non-heap types: not counted per type */
	unsigned long long frees_seen;       /* tp_free calls */
	unsigned long long frees_untracked;  /* of objects not seen allocated since attach */
	unsigned long long dropped;          /* objects not recorded: a map was full, or their
					      * type's tp_free unreadable */
	unsigned long long allocs_free_unseen; /* of heap types whose frees no probe sees */
	unsigned long long types_died;       /* type objects freed, their counts moved by name */
	unsigned long long sites_dropped;    /* objects counted per type, not per site: full */
};

#endif
