/* Ground truth for the native tracer: after the tracer has attached (stdin handshake), makes
 * exactly the allocations listed in tests/e2e/test_native_exact.sh, then waits.
 * Protocol: prints "ready <pid>" once set up, reads one line ("go"), allocates, prints "done",
 * and exits when stdin closes. Only write(2) is used: stdio would allocate its buffers. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "handshake.h"
#define LEAKED_BLOCKS 10000
#define BLOCK_SIZE 4096

/* Externally visible so the compiler cannot drop the allocations. */
void *volatile blocks[LEAKED_BLOCKS];
void *volatile others[512];
void *volatile mapping;

void leak_blocks(void)
{
	for (int i = 0; i < LEAKED_BLOCKS; i++)
		blocks[i] = malloc(BLOCK_SIZE);
}

void free_half(void)
{
	for (int i = 0; i < LEAKED_BLOCKS; i += 2)
		free(blocks[i]);
}

void other_allocators(void)
{
	int n = 0;

	for (int i = 0; i < 100; i++)
		others[n++] = calloc(10, 100);
	for (int i = 0; i < 50; i++) {
		void *p = realloc(NULL, 256);

		others[n++] = realloc(p, 512);
	}
	for (int i = 0; i < 20; i++) {
		void *p;

		if (posix_memalign(&p, 64, 1024) == 0)
			others[n++] = p;
	}
	for (int i = 0; i < 30; i++)
		others[n++] = aligned_alloc(4096, 8192);
	for (int i = 0; i < 10; i++)
		others[n++] = memalign(256, 300);
	for (int i = 0; i < 5; i++)
		others[n++] = valloc(5000);
	for (int i = 0; i < 10; i++)
		others[n++] = reallocarray(NULL, 8, 16);
}

void map_region(void)
{
	mapping = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(void)
{
	/* No brk, no trim and no mmap inside malloc during the measured window. */
	mallopt(M_TOP_PAD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	free(malloc(1));

	say_ready();
	wait_line();
	leak_blocks();
	free_half();
	other_allocators();
	map_region();
	say("done\n");
	wait_line();
	return 0;
}
