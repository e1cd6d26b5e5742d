// SPDX-License-Identifier: GPL-2.0
#include "target/usdt.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NT_STAPSDT 3

static bool take_string(const char **p, const char *end, char *out, size_t size)
{
	size_t n = strnlen(*p, (size_t)(end - *p));

	if (*p + n >= end || n >= size)
		return false;
	memcpy(out, *p, n + 1);
	*p += n + 1;
	return true;
}

bool usdt_parse_note(const void *desc, size_t size, uint64_t sdt_base, struct usdt_probe *out)
{
	const char *p = desc, *end = (const char *)desc + size;
	uint64_t pc, base, sem;

	if (size < 24 + 3)
		return false;
	memcpy(&pc, p, 8);
	memcpy(&base, p + 8, 8);
	memcpy(&sem, p + 16, 8);
	p += 24;
	memset(out, 0, sizeof(*out));
	if (!take_string(&p, end, out->provider, sizeof(out->provider)) ||
	    !take_string(&p, end, out->name, sizeof(out->name)) ||
	    !take_string(&p, end, out->args, sizeof(out->args)))
		return false;
	/* Prelink or a moved file: the note records where .stapsdt.base was at link time. */
	if (sdt_base && base) {
		pc += sdt_base - base;
		if (sem)
			sem += sdt_base - base;
	}
	out->pc = pc;
	out->semaphore = sem;
	return true;
}

static uint64_t section_addr(Elf *elf, const char *wanted)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && !strcmp(name, wanted))
			return shdr.sh_addr;
	}
	return 0;
}

int usdt_read_probes(const char *path, struct usdt_probe **probes)
{
	int fd, count = 0, cap = 0, err = 0;
	Elf_Scn *scn = NULL;
	uint64_t sdt_base;
	GElf_Shdr shdr;
	Elf *elf;

	*probes = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
		goto out;
	}
	sdt_base = section_addr(elf, ".stapsdt.base");
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		size_t offset = 0, name_at, desc_at;
		GElf_Nhdr nhdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((offset = gelf_getnote(data, offset, &nhdr, &name_at, &desc_at)) > 0) {
			struct usdt_probe probe;

			if (nhdr.n_type != NT_STAPSDT || nhdr.n_namesz != 8 ||
			    memcmp((const char *)data->d_buf + name_at, "stapsdt", 8))
				continue;
			if (!usdt_parse_note((const char *)data->d_buf + desc_at, nhdr.n_descsz, sdt_base,
					     &probe))
				continue;
			if (count == cap) {
				struct usdt_probe *more;

				cap = cap ? cap * 2 : 32;
				more = realloc(*probes, (size_t)cap * sizeof(*more));
				if (!more) {
					err = -ENOMEM;
					goto out;
				}
				*probes = more;
			}
			(*probes)[count++] = probe;
		}
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	if (err) {
		free(*probes);
		*probes = NULL;
		return err;
	}
	return count;
}

const struct usdt_probe *usdt_find(const struct usdt_probe *probes, int count, const char *provider,
				   const char *name)
{
	for (int i = 0; i < count; i++)
		if (!strcmp(probes[i].provider, provider) && !strcmp(probes[i].name, name))
			return &probes[i];
	return NULL;
}
