/* Micro-benchmark target: malloc and free of its own, interposed over libc's (a bump allocator
 * and a no-op), so that a probe on them measures the probe and not the allocator. Built with
 * frame pointers: both start with "push %rbp", an instruction the kernel emulates.
 * Protocol as alloc_loop.c; prints "ns_per_iter X" (one malloc + one free per iteration). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Alignas(16) unsigned char arena[64 << 20];
static size_t used;

__attribute__((noinline)) void *malloc(size_t size)
{
	void *p;

	size = (size + 15) & ~(size_t)15;
	if (used + size > sizeof(arena))
		return NULL;
	p = arena + used;
	used += size;
	return p;
}

__attribute__((noinline)) void free(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

__attribute__((noinline)) void *calloc(size_t n, size_t size)
{
	void *p = malloc(n * size);

	if (p)
		memset(p, 0, n * size);
	return p;
}

__attribute__((noinline)) void *realloc(void *old, size_t size)
{
	void *p = malloc(size);

	if (p && old)
		memcpy(p, old, size);   /* blocks only grow in this program */
	return p;
}

static void wait_line(void)
{
	char c;

	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
		;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	void *volatile p;
	uint64_t t0;
	char line[64];

	snprintf(line, sizeof(line), "ready %d\n", (int)getpid());
	if (write(1, line, strlen(line)) < 0)
		return 1;
	wait_line();
	t0 = now_ns();
	for (unsigned long i = 0; i < iters; i++) {
		used = 0;                /* the same few addresses again and again */
		p = malloc(64);
		free(p);
	}
	snprintf(line, sizeof(line), "ns_per_iter %.1f\n", (double)(now_ns() - t0) / iters);
	if (write(1, line, strlen(line)) < 0)
		return 1;
	wait_line();
	return 0;
}
