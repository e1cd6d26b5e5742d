// SPDX-License-Identifier: GPL-2.0
#include "target/python/remote.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#define CHUNK_SHIFT 16
#define CHUNK_SIZE (1ul << CHUNK_SHIFT)
#define PAGE 4096ul
#define CHUNK_PAGES (CHUNK_SIZE / PAGE)

struct chunk {
	uint64_t base;               /* 0: empty slot */
	uint32_t pages;              /* bit p: page p of the chunk was read */
	unsigned char *data;
};

struct remote_mem {
	pid_t pid;
	size_t max_chunks;
	struct chunk *slots;         /* open addressing, power-of-two capacity */
	size_t capacity, used;
	size_t syscalls;
};

bool remote_read_direct(pid_t pid, uint64_t addr, void *buf, size_t size)
{
	struct iovec local = { buf, size };
	struct iovec remote = { (void *)(uintptr_t)addr, size };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)size;
}

struct remote_mem *remote_mem__new(pid_t pid, size_t max_bytes)
{
	struct remote_mem *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->pid = pid;
	m->max_chunks = max_bytes / CHUNK_SIZE ? max_bytes / CHUNK_SIZE : 1;
	m->capacity = 1024;
	m->slots = calloc(m->capacity, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

/* Copies of more than this are given back to the system when dropped: freed 64 KiB blocks
 * stay in the loader's heap otherwise (a census of 200k objects held 40 MiB of them). */
#define TRIM_AFTER_CHUNKS 64

void remote_mem__reset(struct remote_mem *m)
{
	size_t used = m->used;

	for (size_t i = 0; i < m->capacity; i++) {
		free(m->slots[i].data);
		m->slots[i] = (struct chunk){ 0 };
	}
	m->used = 0;
	m->syscalls = 0;
	if (used > TRIM_AFTER_CHUNKS)
		malloc_trim(0);
}

void remote_mem__free(struct remote_mem *m)
{
	if (!m)
		return;
	remote_mem__reset(m);
	free(m->slots);
	free(m);
}

size_t remote_mem__syscalls(const struct remote_mem *m)
{
	return m->syscalls;
}

static size_t slot_of(uint64_t base, size_t capacity)
{
	return (size_t)((base >> CHUNK_SHIFT) * 0x9e3779b97f4a7c15ull >> 20) & (capacity - 1);
}

static bool grow(struct remote_mem *m)
{
	size_t cap = m->capacity * 2;
	struct chunk *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return false;
	for (size_t i = 0; i < m->capacity; i++) {
		size_t s;

		if (!m->slots[i].base)
			continue;
		for (s = slot_of(m->slots[i].base, cap); slots[s].base; s = (s + 1) & (cap - 1))
			;
		slots[s] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->capacity = cap;
	return true;
}

static const struct chunk *get_chunk(struct remote_mem *m, uint64_t base)
{
	struct iovec local, remote;
	ssize_t n;
	size_t s;

	for (s = slot_of(base, m->capacity); m->slots[s].base; s = (s + 1) & (m->capacity - 1))
		if (m->slots[s].base == base)
			return &m->slots[s];
	if (m->used >= m->max_chunks || base == 0)
		return NULL;
	if (m->used * 2 >= m->capacity) {
		if (!grow(m))
			return NULL;
		for (s = slot_of(base, m->capacity); m->slots[s].base; s = (s + 1) & (m->capacity - 1))
			;
	}
	m->slots[s].data = malloc(CHUNK_SIZE);
	if (!m->slots[s].data)
		return NULL;
	local = (struct iovec){ m->slots[s].data, CHUNK_SIZE };
	remote = (struct iovec){ (void *)(uintptr_t)base, CHUNK_SIZE };
	n = process_vm_readv(m->pid, &local, 1, &remote, 1, 0);
	m->syscalls++;
	m->slots[s].base = base;
	m->slots[s].pages = 0;
	for (size_t p = 0; p < CHUNK_PAGES; p++) {
		if (n >= (ssize_t)((p + 1) * PAGE)) {
			m->slots[s].pages |= 1u << p;
			continue;
		}
		/* The chunk straddles the end or start of a mapping: read the rest page by page. */
		if (remote_read_direct(m->pid, base + p * PAGE, m->slots[s].data + p * PAGE, PAGE))
			m->slots[s].pages |= 1u << p;
		m->syscalls++;
	}
	m->used++;
	return &m->slots[s];
}

bool remote_mem__read(struct remote_mem *m, uint64_t addr, void *buf, size_t size)
{
	unsigned char *out = buf;

	if (addr + size < addr)
		return false;
	while (size) {
		uint64_t base = addr & ~(uint64_t)(CHUNK_SIZE - 1);
		size_t at = (size_t)(addr - base);
		size_t n = CHUNK_SIZE - at < size ? CHUNK_SIZE - at : size;
		const struct chunk *c = get_chunk(m, base);

		if (!c)
			return false;
		for (size_t p = at / PAGE; p <= (at + n - 1) / PAGE; p++)
			if (!(c->pages & (1u << p)))
				return false;
		memcpy(out, c->data + at, n);
		out += n;
		addr += n;
		size -= n;
	}
	return true;
}

bool remote_mem__read_u64(struct remote_mem *m, uint64_t addr, uint64_t *out)
{
	return remote_mem__read(m, addr, out, sizeof(*out));
}

bool remote_mem__read_string(struct remote_mem *m, uint64_t addr, char *buf, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		if (!remote_mem__read(m, addr + i, &buf[i], 1))
			return false;
		if (!buf[i])
			return true;
	}
	buf[size - 1] = '\0';
	return false;
}
