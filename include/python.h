/* Structs shared by bpf/python.bpf.c and user/probes/python/ (event mode): plain data, no includes. */
#ifndef MEMTRACE_PYTHON_H
#define MEMTRACE_PYTHON_H

#define PY_EVENT_NAME_LEN 64

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
	char name[PY_EVENT_NAME_LEN];  /* tp_name as read at the first instance */
};

struct py_obj_key {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long addr;
};

struct py_obj {
	unsigned long long type_addr;
	unsigned long long bytes;
};

/* Per traced process, per CPU. */
struct py_event_counters {
	unsigned long long allocs_seen;      /* PyType_GenericAlloc returns */
	unsigned long long allocs_builtin;   /* of non-heap types: not counted per type */
	unsigned long long frees_seen;       /* tp_free calls */
	unsigned long long frees_untracked;  /* of objects not seen allocated since attach */
	unsigned long long dropped;          /* objects not recorded: a map was full */
};

#endif
