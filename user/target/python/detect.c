// SPDX-License-Identifier: GPL-2.0
#include "target/python/detect.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "target/procmaps.h"

/* _Py_DebugOffsets (3.13, laid out as in 3.13.0's Include/internal/pycore_runtime.h): cookie,
 * version, free_threaded, then groups of u64 offsets, each group starting with its struct's
 * size: runtime_state {finalizing, interpreters_head}, interpreter_state {id, next,
 * threads_head, gc, ...}, thread_state {prev, next, interp, current_frame, thread_id, ...},
 * interpreter_frame {previous, executable, instr_ptr, localsplus, owner}, code_object
 * {filename, name, qualname, linetable, firstlineno, argcount, localsplusnames,
 * localspluskinds, co_code_adaptive}. */
#define DEBUG_COOKIE "xdebugpy"
#define DEBUG_VERSION 8
#define DEBUG_FREE_THREADED 16
#define DEBUG_FINALIZING 32
#define DEBUG_INTERPRETERS_HEAD 40
#define DEBUG_INTERP_THREADS_HEAD 72
#define DEBUG_INTERP_GC 80
#define DEBUG_THREAD_NEXT 168
#define DEBUG_THREAD_CURRENT_FRAME 184
#define DEBUG_THREAD_ID 192
#define DEBUG_FRAME_PREVIOUS 232
#define DEBUG_FRAME_EXECUTABLE 240
#define DEBUG_FRAME_INSTR_PTR 248
#define DEBUG_FRAME_OWNER 264
#define DEBUG_CODE_FILENAME 280
#define DEBUG_CODE_NAME 288
#define DEBUG_CODE_QUALNAME 296
#define DEBUG_CODE_LINETABLE 304
#define DEBUG_CODE_FIRSTLINENO 312
#define DEBUG_CODE_ADAPTIVE 344
#define DEBUG_SIZE 352
#define DEBUG_OFFSET_MAX (1u << 20)   /* larger than any structure it describes: not valid */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

uint64_t py_target__symbol(const struct py_target *t, const char *name, bool functions_only)
{
	const struct elf_symbol *sym = elf_symtab__find(t->tab, name, functions_only);

	return sym ? sym->vaddr + t->bias : 0;
}

/* The file that defines symbol (the interpreter's): a libpython first, else the executable
 * itself. */
static bool find_interpreter_file(pid_t pid, struct symtab_cache *cache,
				  const struct procmaps *maps, const char *symbol,
				  struct py_target *t)
{
	char exe[4096], link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < maps->count; i++) {
			const struct mapping *m = &maps->mappings[i];
			const char *b = base_name(m->path);
			const struct elf_symtab *tab;
			char path[4200];

			if (m->path[0] != '/')
				continue;
			if (pass == 0 && strncmp(b, "libpython", 9))
				continue;
			if (pass == 1 && strcmp(m->path, exe))
				continue;
			process_file_path(pid, m->path, path, sizeof(path));
			tab = symtab_cache__get(cache, path, NULL);
			if (!tab || !elf_symtab__find(tab, symbol, false))
				continue;
			snprintf(t->path, sizeof(t->path), "%s", m->path);
			snprintf(t->open_path, sizeof(t->open_path), "%s", path);
			t->tab = tab;
			return true;
		}
	}
	return false;
}

static bool compute_bias(const struct procmaps *maps, struct py_target *t)
{
	for (size_t i = 0; i < maps->count; i++) {
		const struct mapping *m = &maps->mappings[i];
		uint64_t vaddr;

		if (strcmp(m->path, t->path))
			continue;
		if (!elf_symtab__offset_to_vaddr(t->tab, m->file_offset, &vaddr))
			continue;
		t->bias = t->tab->is_pie_or_shared ? m->start - vaddr : 0;
		return true;
	}
	return false;
}

static void read_version(struct py_target *t)
{
	uint64_t addr = py_target__symbol(t, "Py_Version", false);
	char buf[64];
	uint32_t hex;

	if (addr && remote_read_direct(t->pid, addr, &hex, sizeof(hex)) &&
	    pyversion__from_hex(hex, &t->version))
		return;
	/* Before 3.11: Py_GetVersion()'s buffer, filled at start-up ("3.9.18 (main, ...)"). */
	addr = py_target__symbol(t, "version.0", false);
	if (!addr)
		addr = py_target__symbol(t, "version", false);
	if (addr && remote_read_direct(t->pid, addr, buf, sizeof(buf))) {
		buf[sizeof(buf) - 1] = '\0';
		if (pyversion__parse(buf, &t->version))
			return;
	}
	if (!pyversion__from_file_name(t->path, &t->version))
		t->version = (struct pyversion){ 0, 0, -1 };
}

static uint64_t debug_u64(const unsigned char *buf, size_t at)
{
	uint64_t v;

	memcpy(&v, buf + at, sizeof(v));
	return v;
}

/* The stack walk's offsets as the interpreter publishes them; all valid or none used. */
static void read_debug_stack_offsets(struct py_target *t, const unsigned char *buf)
{
	static const struct {
		size_t at;
		size_t field;                /* offsetof(struct py_stack_offsets, ...) */
	} map[] = {
		{ DEBUG_INTERP_THREADS_HEAD, offsetof(struct py_stack_offsets, interp_threads_head) },
		{ DEBUG_THREAD_NEXT, offsetof(struct py_stack_offsets, thread_next) },
		{ DEBUG_THREAD_CURRENT_FRAME, offsetof(struct py_stack_offsets, thread_frame) },
		{ DEBUG_THREAD_ID, offsetof(struct py_stack_offsets, thread_id) },
		{ DEBUG_FRAME_PREVIOUS, offsetof(struct py_stack_offsets, frame_back) },
		{ DEBUG_FRAME_EXECUTABLE, offsetof(struct py_stack_offsets, frame_code) },
		{ DEBUG_FRAME_INSTR_PTR, offsetof(struct py_stack_offsets, frame_instr) },
		{ DEBUG_FRAME_OWNER, offsetof(struct py_stack_offsets, frame_owner) },
		{ DEBUG_CODE_FILENAME, offsetof(struct py_stack_offsets, code_filename) },
		{ DEBUG_CODE_NAME, offsetof(struct py_stack_offsets, code_name) },
		{ DEBUG_CODE_QUALNAME, offsetof(struct py_stack_offsets, code_qualname) },
		{ DEBUG_CODE_LINETABLE, offsetof(struct py_stack_offsets, code_linetable) },
		{ DEBUG_CODE_FIRSTLINENO, offsetof(struct py_stack_offsets, code_firstlineno) },
		{ DEBUG_CODE_ADAPTIVE, offsetof(struct py_stack_offsets, code_adaptive) },
	};
	unsigned char *stack = (unsigned char *)&t->off.stack;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (debug_u64(buf, map[i].at) >= DEBUG_OFFSET_MAX)
			return;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		/* Every mapped field is a 32-bit offset (int32_t where -1 means "none"). */
		uint32_t v = (uint32_t)debug_u64(buf, map[i].at), old;

		memcpy(&old, stack + map[i].field, sizeof(old));
		if (old != v)
			t->debug_stack_mismatches++;
		memcpy(stack + map[i].field, &v, sizeof(v));
	}
	t->has_debug_stack_offsets = true;
}

/* 3.13+: the interpreter publishes its own layout; it wins over our table. */
static void read_debug_offsets(struct py_target *t)
{
	unsigned char buf[DEBUG_SIZE];
	uint64_t version, free_threaded, finalizing, head, gc;

	if (!remote_read_direct(t->pid, t->runtime_addr, buf, sizeof(buf)) ||
	    memcmp(buf, DEBUG_COOKIE, 8))
		return;
	version = debug_u64(buf, DEBUG_VERSION);
	free_threaded = debug_u64(buf, DEBUG_FREE_THREADED);
	finalizing = debug_u64(buf, DEBUG_FINALIZING);
	head = debug_u64(buf, DEBUG_INTERPRETERS_HEAD);
	gc = debug_u64(buf, DEBUG_INTERP_GC);
	if (free_threaded || (int)((version >> 16) & 0xff) != t->version.minor ||
	    finalizing > 1 << 20 || head > 1 << 20 || gc > 1 << 20)
		return;
	t->off.runtime_finalizing = (uint32_t)finalizing;
	t->off.runtime_interp_head = (uint32_t)head;
	t->off.gc_state = (uint32_t)gc;
	t->has_debug_offsets = true;
	read_debug_stack_offsets(t, buf);
}

enum py_detect py_target__detect(pid_t pid, struct symtab_cache *cache, struct py_target *t,
				 char *why, size_t why_size)
{
	const struct py_offsets *off;
	struct procmaps maps;
	enum py_detect result = PY_DETECT_OK;
	uint64_t gc;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	snprintf(why, why_size, "unknown");
	if (procmaps__read(pid, &maps)) {
		snprintf(why, why_size, "the process is gone");
		return PY_DETECT_GONE;
	}
	/* _PyRuntime since 3.7; an older interpreter (2.7, 3.6) still defines Py_GetVersion and
	 * is named as unsupported below. */
	if (!find_interpreter_file(pid, cache, &maps, "_PyRuntime", t) &&
	    !find_interpreter_file(pid, cache, &maps, "Py_GetVersion", t)) {
		snprintf(why, why_size, "no CPython interpreter (no mapped file defines _PyRuntime "
			 "or Py_GetVersion)");
		result = PY_DETECT_NOT_PYTHON;
		goto out;
	}
	if (!compute_bias(&maps, t)) {
		snprintf(why, why_size, "cannot place %s in memory", t->path);
		result = PY_DETECT_UNSUPPORTED;
		goto out;
	}
	t->runtime_addr = py_target__symbol(t, "_PyRuntime", false);
	t->type_type_addr = py_target__symbol(t, "PyType_Type", false);
	t->code_type_addr = py_target__symbol(t, "PyCode_Type", false);
	read_version(t);
	snprintf(t->version_str, sizeof(t->version_str), t->version.micro >= 0 ? "%d.%d.%d" : "%d.%d",
		 t->version.major, t->version.minor, t->version.micro);
	off = t->runtime_addr ? py_offsets__get(t->version.major, t->version.minor) : NULL;
	if (!off) {
		snprintf(why, why_size, "CPython %s in %s is not supported (3.%d to 3.%d are)",
			 t->version.major ? t->version_str : "of unknown version", t->path,
			 PY_MIN_MINOR, PY_MAX_MINOR);
		result = PY_DETECT_UNSUPPORTED;
		goto out;
	}
	t->off = *off;
	if (!t->type_type_addr) {
		snprintf(why, why_size, "%s has no symbol PyType_Type", t->path);
		result = PY_DETECT_UNSUPPORTED;
		goto out;
	}
	if (t->version.minor >= 13)
		read_debug_offsets(t);
	if (!t->off.interp_narenas && !t->off.interp_obmalloc_ptr)
		t->narenas_addr = py_target__symbol(t, "narenas_currently_allocated", false);
	if (!py_target__gc_state(t, &gc)) {
		snprintf(why, why_size, "CPython %s is not initialized yet", t->version_str);
		result = PY_DETECT_NOT_READY;
	}
out:
	procmaps__free(&maps);
	return result;
}

bool py_target__gc_state(const struct py_target *t, uint64_t *addr)
{
	uint64_t interp;

	if (t->off.gc_in_runtime) {
		*addr = t->runtime_addr + t->off.gc_state;
		return true;
	}
	if (!remote_read_direct(t->pid, t->runtime_addr + t->off.runtime_interp_head, &interp,
				sizeof(interp)) || !interp)
		return false;
	*addr = interp + t->off.gc_state;
	return true;
}

bool py_target__running(const struct py_target *t)
{
	uint64_t finalizing;

	return remote_read_direct(t->pid, t->runtime_addr + t->off.runtime_finalizing, &finalizing,
				  sizeof(finalizing)) && !finalizing;
}
