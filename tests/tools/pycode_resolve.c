// SPDX-License-Identifier: GPL-2.0
/* Test tool for tests/e2e/test_pycode.sh: names Python frames of a live process with
 * user/target/python/pycode.c, as the tracer does with what its BPF walk records.
 *   pycode_resolve PID < requests
 * First prints "python VERSION debug_stack_offsets YES|NO mismatches N", then one answer a
 * request line:
 *   offset CODE BYTE_OFFSET  -> "offset CODE BYTE_OFFSET<TAB>LINE<TAB>FUNCTION<TAB>FILE"
 *   instr CODE BYTE_OFFSET   -> the same through what the walk records (f_lasti in the
 *                               version's unit, or the pointer into co_code_adaptive)
 *   opcode CODE BYTE_OFFSET  -> "opcode CODE BYTE_OFFSET<TAB>HEX": the 2 bytes at that offset
 *                               of co_code_adaptive (3.11+)
 * An unresolvable frame answers "unresolved" in place of LINE... CODE is decimal (id()). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/python/detect.h"
#include "target/python/pycode.h"

static uint64_t instr_of(const struct py_target *t, uint64_t code, int64_t offset)
{
	const struct py_stack_offsets *so = &t->off.stack;

	if (so->code_adaptive >= 0)
		return code + (uint32_t)so->code_adaptive + (uint64_t)offset;
	return (uint64_t)(offset < 0 ? -1 : offset / so->lasti_unit);
}

static void answer(struct pycode_cache *c, struct remote_mem *m, const struct py_target *t,
		   const char *kind, uint64_t code, int64_t offset)
{
	struct py_frame_loc loc;
	uint8_t op[2];
	bool ok;

	printf("%s %" PRIu64 " %" PRId64 "\t", kind, code, offset);
	if (!strcmp(kind, "opcode")) {
		if (t->off.stack.code_adaptive >= 0 &&
		    remote_mem__read(m, code + (uint32_t)t->off.stack.code_adaptive + (uint64_t)offset,
				     op, sizeof(op)))
			printf("%02x%02x\n", op[0], op[1]);
		else
			printf("unresolved\n");
		return;
	}
	if (!strcmp(kind, "instr"))
		ok = pycode__resolve(c, m, t, code, instr_of(t, code, offset), &loc);
	else
		ok = pycode__resolve_offset(c, m, t, code, offset, &loc);
	if (ok)
		printf("%d\t%s\t%s\n", loc.line, loc.function, loc.file);
	else
		printf("unresolved\n");
}

int main(int argc, char **argv)
{
	struct symtab_cache *cache = symtab_cache__new();
	struct pycode_cache *c = pycode_cache__new();
	struct remote_mem *m;
	struct py_target t;
	char why[512], line[256], kind[16];
	uint64_t code;
	int64_t offset;
	pid_t pid;

	if (argc != 2 || (pid = (pid_t)atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: pycode_resolve PID < requests\n");
		return 2;
	}
	if (!cache || !c || py_target__detect(pid, cache, &t, why, sizeof(why)) != PY_DETECT_OK) {
		fprintf(stderr, "pycode_resolve: %s\n", why);
		return 1;
	}
	m = remote_mem__new(pid, 64 << 20);
	printf("python %s debug_stack_offsets %s mismatches %u\n", t.version_str,
	       t.has_debug_stack_offsets ? "yes" : "no", t.debug_stack_mismatches);
	while (fgets(line, sizeof(line), stdin))
		if (sscanf(line, "%15s %" SCNu64 " %" SCNd64, kind, &code, &offset) == 3)
			answer(c, m, &t, kind, code, offset);
	remote_mem__free(m);
	pycode_cache__free(c);
	symtab_cache__free(cache);
	return 0;
}
