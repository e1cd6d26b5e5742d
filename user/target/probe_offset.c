// SPDX-License-Identifier: GPL-2.0
#include "target/probe_offset.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <capstone/capstone.h>

#define MAX_FUNCTION_BYTES 65536     /* longer functions: only their start is checked */
#define MAX_STEPPED_OVER 4           /* instructions stepped over before giving up */

static struct probe_site entry_site(const char *why, bool emulated)
{
	return (struct probe_site){ .delta = 0, .emulated = emulated, .why = why };
}

static bool is_endbr64(const uint8_t *p, size_t left)
{
	static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };

	return left >= sizeof(endbr64) && !memcmp(p, endbr64, sizeof(endbr64));
}

/* The x86 uprobe code emulates push of a register, nops and direct branches; everything
 * else is copied out of line and single-stepped. */
static bool kernel_emulates(const cs_insn *insn)
{
	const cs_x86 *x86 = &insn->detail->x86;

	switch (insn->id) {
	case X86_INS_PUSH:
		return x86->op_count == 1 && x86->operands[0].type == X86_OP_REG &&
		       insn->size <= 2;
	case X86_INS_NOP:
		return true;
	default:
		return false;
	}
}

static bool is_test_rdi_rdi(const cs_insn *insn)
{
	const cs_x86 *x86 = &insn->detail->x86;

	return insn->id == X86_INS_TEST && x86->op_count == 2 &&
	       x86->operands[0].type == X86_OP_REG && x86->operands[0].reg == X86_REG_RDI &&
	       x86->operands[1].type == X86_OP_REG && x86->operands[1].reg == X86_REG_RDI;
}

static bool is_direct_branch(const cs_insn *insn, uint64_t *target)
{
	const cs_x86 *x86 = &insn->detail->x86;

	bool branch = false;

	for (int i = 0; i < insn->detail->groups_count; i++)
		branch |= insn->detail->groups[i] == CS_GRP_JUMP || insn->detail->groups[i] == CS_GRP_CALL;
	if (!branch)
		return false;
	if (x86->op_count != 1 || x86->operands[0].type != X86_OP_IMM)
		return false;
	*target = (uint64_t)x86->operands[0].imm;
	return true;
}

/* True if a direct branch anywhere in the function lands in (vaddr, vaddr + delta]: the site
 * would then also be reached on a path that skipped what we stepped over. Linear sweep; an
 * undecodable byte ends it, and then the answer is "yes" to stay safe. */
static bool branched_into(csh cs, const uint8_t *code, size_t len, uint64_t vaddr, uint64_t delta)
{
	const uint8_t *p = code;
	uint64_t addr = vaddr, target;
	size_t left = len;
	cs_insn *insn = cs_malloc(cs);
	bool hit = false;

	if (!insn)
		return true;
	while (left && !hit) {
		if (is_endbr64(p, left)) {
			p += 4, left -= 4, addr += 4;
			continue;
		}
		if (!cs_disasm_iter(cs, &p, &left, &addr, insn)) {
			/* Padding or data after the last instruction is fine; code we cannot read is not. */
			hit = left > 16;
			break;
		}
		if (is_direct_branch(insn, &target) && target > vaddr && target <= vaddr + delta)
			hit = true;
	}
	cs_free(insn, 1);
	return hit;
}

struct probe_site probe_offset__choose(const uint8_t *code, size_t len, uint64_t vaddr,
				       bool skip_null_arg0)
{
	struct probe_site site = entry_site("entry: first instruction not recognised", false);
	const uint8_t *p = code;
	uint64_t addr = vaddr;
	size_t left = len;
	cs_insn *insn = NULL;
	csh cs;

	if (!code || !len)
		return entry_site("entry: no code to decode", false);
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return entry_site("entry: disassembler unavailable", false);
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(cs);
	for (int stepped = 0; insn && stepped <= MAX_STEPPED_OVER && left; stepped++) {
		uint64_t here = addr - vaddr;

		if (is_endbr64(p, left)) {   /* a marker for indirect branches; changes nothing */
			p += 4, left -= 4, addr += 4;
			continue;
		}
		if (!cs_disasm_iter(cs, &p, &left, &addr, insn))
			break;
		if (kernel_emulates(insn)) {
			if (here == 0) {
				site = entry_site("entry: emulated instruction", true);
			} else if (branched_into(cs, code, len, vaddr, here)) {
				site = entry_site("entry: a branch lands past the entry", false);
			} else {
				site = (struct probe_site){ .delta = here, .emulated = true,
					.why = "past a NULL check, at an emulated instruction" };
			}
			break;
		}
		if (!skip_null_arg0 || !is_test_rdi_rdi(insn))
			break;
		/* test %rdi,%rdi must be followed by je: the non-NULL path falls through. */
		if (!left || !cs_disasm_iter(cs, &p, &left, &addr, insn) || insn->id != X86_INS_JE)
			break;
	}
	if (insn)
		cs_free(insn, 1);
	cs_close(&cs);
	return site;
}

struct probe_site probe_offset__for_symbol(const char *path, const struct elf_symtab *tab,
					   const struct elf_symbol *sym, bool skip_null_arg0)
{
	struct probe_site site = entry_site("entry: function code unreadable", false);
	uint64_t offset, size;
	uint8_t *code;
	ssize_t got;
	int fd;

#if !defined(__x86_64__)
	return entry_site("entry: not x86-64", false);
#elif defined(MEMTRACE_PROBE_AT_ENTRY)   /* the benchmark's comparison build */
	return entry_site("entry: placement disabled at build time", false);
#endif
	if (!sym || !elf_symtab__vaddr_to_offset(tab, sym->vaddr, &offset))
		return site;
	/* Without a size the branch check cannot see the whole function: entry only. */
	if (!sym->size)
		skip_null_arg0 = false;
	size = sym->size ? sym->size : 32;
	if (size > MAX_FUNCTION_BYTES)
		size = MAX_FUNCTION_BYTES;
	code = malloc(size);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (code && fd >= 0) {
		got = pread(fd, code, size, (off_t)offset);
		if (got > 0)
			site = probe_offset__choose(code, (size_t)got, sym->vaddr,
						    skip_null_arg0 && (uint64_t)got == sym->size);
	}
	if (fd >= 0)
		close(fd);
	free(code);
	return site;
}
