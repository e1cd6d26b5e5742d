/* CPython versions and the per-version layout facts the collectors need. Pure data and
 * parsing: no I/O, unit-tested. */
#ifndef MEMTRACE_PYVERSION_H
#define MEMTRACE_PYVERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pyversion {
	int major, minor, micro;
};

/* How a version encodes the line of an instruction in its code objects. */
enum py_line_table {
	PY_LINE_TABLE_LNOTAB,        /* 3.8, 3.9: co_lnotab, (byte delta, line delta) pairs */
	PY_LINE_TABLE_PEP626,        /* 3.10: co_linetable, (byte delta, line delta) entries */
	PY_LINE_TABLE_LOCATIONS,     /* 3.11+: co_linetable, the location table */
};

/* What walking a thread's Python stack and naming its frames reads. Offsets in bytes. */
struct py_stack_offsets {
	uint32_t interp_threads_head;    /* PyInterpreterState.tstate_head / .threads.head */
	uint32_t thread_next;            /* PyThreadState.next */
	uint32_t thread_id;              /* PyThreadState.thread_id: pthread_self() of the thread */
	uint32_t thread_frame;           /* .frame (<= 3.10), .cframe (3.11, 3.12), .current_frame (3.13) */
	int32_t cframe_current_frame;    /* 3.11, 3.12: _PyCFrame.current_frame; -1: no cframe */
	bool interpreter_frames;         /* 3.11+: _PyInterpreterFrame, else PyFrameObject */
	uint32_t frame_back;             /* f_back / previous */
	uint32_t frame_code;             /* f_code / f_executable */
	uint32_t frame_instr;            /* f_lasti (int) / prev_instr, instr_ptr (a pointer) */
	int32_t frame_owner;             /* 3.11+: owner (char); -1 before */
	int32_t frame_owner_cstack;      /* 3.12+: FRAME_OWNED_BY_CSTACK, a shim frame; -1: none */
	uint32_t lasti_unit;             /* f_lasti counts bytes (1) or code units (2, 3.10) */
	uint32_t code_filename;          /* PyCodeObject.co_filename */
	uint32_t code_name;              /* co_name */
	int32_t code_qualname;           /* co_qualname (3.11+); -1 before */
	uint32_t code_firstlineno;       /* co_firstlineno (int) */
	uint32_t code_linetable;         /* co_lnotab / co_linetable (a bytes object) */
	int32_t code_code;               /* co_code (a bytes object, <= 3.10); -1 after */
	int32_t code_adaptive;           /* co_code_adaptive (3.11+: the bytecode inline); -1 before */
	enum py_line_table line_table;
	uint32_t unicode_ascii_size;     /* sizeof(PyASCIIObject): a compact ASCII str's data follows */
	uint32_t unicode_compact_size;   /* sizeof(PyCompactUnicodeObject): other compact str */
};

/* Where an instance of a class keeps its attributes. */
enum py_attrs {
	PY_ATTRS_DICTOFFSET,     /* <= 3.10: a dict at obj + tp_dictoffset */
	PY_ATTRS_PREHEADER_311,  /* 3.11 managed dict: values at obj - 32, or a dict at obj - 24 */
	PY_ATTRS_TAGGED_312,     /* 3.12: at obj - 24 a dict, or values - 1 (odd) */
	PY_ATTRS_INLINE_313,     /* 3.13: values inline at obj + tp_basicsize, or a dict at obj - 24 */
};

/* What following references between containers reads (retainers.c). Offsets in bytes. */
struct py_container_offsets {
	uint32_t list_items;             /* PyListObject.ob_item (a pointer to the items) */
	uint32_t tuple_items;            /* PyTupleObject.ob_item[] (inline) */
	uint32_t dict_keys;              /* PyDictObject.ma_keys */
	uint32_t dict_values;            /* .ma_values: split table's values, or NULL */
	bool keys_log2;                  /* 3.11+: dk_log2_size, dk_log2_index_bytes, dk_kind */
	uint32_t keys_size;              /* dk_size (<= 3.10) / dk_log2_index_bytes (uint8, 3.11+) */
	int32_t keys_kind;               /* dk_kind (uint8, 3.11+): 0 general, else str keys; -1 */
	uint32_t keys_nentries;          /* dk_nentries */
	uint32_t keys_indices;           /* dk_indices[]: the entries follow the index table */
	uint32_t values_items;           /* PyDictValues.values[] (3.13 has a 4-byte header) */
	uint32_t module_dict;            /* PyModuleObject.md_dict */
	uint32_t module_name;            /* .md_name (a str) */
	enum py_attrs attrs;             /* where an instance keeps its attributes */
	uint32_t type_dictoffset;        /* PyTypeObject.tp_dictoffset */
	uint32_t heap_cached_keys;       /* PyHeapTypeObject.ht_cached_keys (shared keys) */
};

/* Offsets in bytes, 64-bit builds without Py_DEBUG / free threading. */
struct py_offsets {
	int minor;                       /* 3.minor */
	uint32_t runtime_interp_head;    /* _PyRuntime.interpreters.head */
	uint32_t runtime_finalizing;     /* _PyRuntime._finalizing: set where Py_FinalizeEx starts */
	bool gc_in_runtime;              /* 3.8: the GC state is _PyRuntime.gc */
	uint32_t gc_state;               /* offset of the GC state in _PyRuntime (3.8) or the interpreter */
	uint32_t gc_generations;         /* struct gc_generation generations[3] in the GC state */
	uint32_t gc_generation_size;     /* sizeof(struct gc_generation) */
	uint32_t gc_stats;               /* struct gc_generation_stats generation_stats[3] */
	uint32_t gc_head_size;           /* sizeof(PyGC_Head): the object follows its GC header */
	/* pymalloc arenas in use: a static variable before 3.12, interpreter state after */
	uint32_t interp_narenas;         /* 0: use the symbol narenas_currently_allocated */
	uint32_t interp_obmalloc_ptr;    /* 3.13: interp->obmalloc is a pointer; 0 otherwise */
	uint32_t obmalloc_narenas;       /* offset of the counter behind that pointer */
	uint64_t arena_size;
	struct py_stack_offsets stack;
	struct py_container_offsets containers;
};

/* Offsets inside objects, the same in every supported version. */
#define PY_OB_TYPE 8
#define PY_OB_SIZE 16
#define PY_TP_NAME 24
#define PY_TP_BASICSIZE 32
#define PY_TP_ITEMSIZE 40
#define PY_TP_FLAGS 168
#define PY_TP_FREE 320
#define PY_BYTES_DATA 32           /* PyBytesObject.ob_sval */
#define PY_UNICODE_STATE 32        /* PyASCIIObject.state: kind bits 2-4, compact 5, ascii 6 */
#define PY_TPFLAGS_HEAPTYPE (1ul << 9)
#define PY_TPFLAGS_READY (1ul << 12)
#define PY_TPFLAGS_TYPE_SUBCLASS (1ul << 31)
#define PY_GC_NEXT_MASK_UNREACHABLE 1ul
#define PY_MIN_MINOR 8
#define PY_MAX_MINOR 13

/* "3.11.2 (main, ...)" or "3.8.18" -> 3, 8, 18; false if it does not start with a version. */
bool pyversion__parse(const char *s, struct pyversion *v);
/* Py_Version / PY_VERSION_HEX (0x030b02f0) -> 3.11.2. */
bool pyversion__from_hex(uint32_t hex, struct pyversion *v);
/* "libpython3.11.so.1.0", "python3.11", "libpython3.8d.so" -> 3.11 (micro -1). */
bool pyversion__from_file_name(const char *path, struct pyversion *v);
/* The layout for 3.minor, or NULL for a version outside support. */
const struct py_offsets *py_offsets__get(int major, int minor);

#endif
