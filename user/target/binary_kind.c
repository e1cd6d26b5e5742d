// SPDX-License-Identifier: GPL-2.0
#include "target/binary_kind.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>

/* Both survive strip: the Go linker writes them as allocated sections. */
static bool is_go_section(const char *name)
{
	return !strcmp(name, ".go.buildinfo") || !strcmp(name, ".note.go.buildid");
}

static bool has_go_section(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		if (gelf_getshdr(scn, &shdr) && (name = elf_strptr(elf, shstrndx, shdr.sh_name)) &&
		    is_go_section(name))
			return true;
	}
	return false;
}

static bool has_interpreter(Elf *elf)
{
	size_t count;

	if (elf_getphdrnum(elf, &count))
		return false;
	for (size_t i = 0; i < count; i++) {
		GElf_Phdr phdr;

		if (gelf_getphdr(elf, (int)i, &phdr) && phdr.p_type == PT_INTERP)
			return true;
	}
	return false;
}

int binary_kind__read(const char *path, struct binary_kind *kind)
{
	Elf *elf;
	int fd;

	memset(kind, 0, sizeof(*kind));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		close(fd);
		return -ENOEXEC;
	}
	kind->go = has_go_section(elf);
	kind->dynamic = has_interpreter(elf);
	elf_end(elf);
	close(fd);
	return 0;
}
