/* glibc's main arena read as another process would read it (process_vm_readv, on this very
 * process) against glibc's own view of it, mallinfo2(). */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "target/glibc_heap.h"

#define BLOCKS 400

static void *volatile blocks[BLOCKS];

static void test_arena_matches_mallinfo2(void **state)
{
	struct glibc_heap_locator loc = { 0 };
	struct symtab_cache *cache = symtab_cache__new();
	struct glibc_heap heap;
	struct mallinfo2 mi;

	(void)state;
	assert_non_null(cache);
	if (!glibc_heap__locate(getpid(), cache, &loc)) {
		symtab_cache__free(cache);
		skip();   /* no main_arena symbol: libc's debug file (libc6-dbg) is not installed */
	}
	/* Holes: every other block freed (2 KiB: past the tcache and fastbins, into the bins),
	 * and a few small ones in the fastbins. */
	for (int i = 0; i < BLOCKS; i++)
		blocks[i] = malloc(i < BLOCKS - 40 ? 2048 : 48);
	for (int i = 0; i < BLOCKS; i += 2)
		free(blocks[i]);
	mi = mallinfo2();
	assert_true(glibc_heap__read(getpid(), &loc, true, &heap));   /* allocates nothing */
	assert_true(heap.arena_known && heap.free_known);
	assert_int_equal(heap.held_bytes, mi.arena);
	assert_int_equal(heap.top_bytes, mi.keepcost);
	assert_int_equal(heap.free_bytes + heap.top_bytes, mi.fordblks);
	assert_false(heap.free_partial);
	/* 180 holes of 2 KiB (too big for the tcache), and 20 small blocks freed of which the
	 * tcache keeps 7 (in use, for the arena): 13 in a fastbin; the first hole may join a
	 * free chunk before it */
	assert_true(heap.free_chunks >= 180 + 13 - 1);
	for (int i = 1; i < BLOCKS; i += 2)
		free(blocks[i]);
	symtab_cache__free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_matches_mallinfo2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
