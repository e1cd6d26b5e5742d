// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: ELF symbol tables of mutated files (seeded with real ELF files), and the probe
 * placement decoder on the same bytes. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "target/elf_symbols.h"
#include "target/probe_offset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_symtab *tab;
	char path[64];
	FILE *f;

	probe_offset__choose(data, size, 0x1000, true);
	snprintf(path, sizeof(path), "/tmp/memtrace-fuzz-elf.%d", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	tab = elf_symtab__open(path, "/nonexistent-debug-root");
	if (tab) {
		uint64_t off, vaddr;

		for (size_t i = 0; i < tab->count; i++) {
			const struct elf_symbol *sym = &tab->by_addr[i];

			elf_symtab__symbolize(tab, sym->vaddr);
			elf_symtab__find(tab, sym->name, false);
			if (elf_symtab__vaddr_to_offset(tab, sym->vaddr, &off))
				elf_symtab__offset_to_vaddr(tab, off, &vaddr);
			if (sym->is_function)
				probe_offset__for_symbol(path, tab, sym, true);
		}
		elf_symtab__find(tab, "malloc", true);
		elf_symtab__free(tab);
	}
	unlink(path);
	return 0;
}
