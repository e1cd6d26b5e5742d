/* target/needed_libraries.c: the dynamic loader's --list lines, and the list of a real
 * executable (this test itself). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "target/needed_libraries.h"
#include "target/procmaps.h"

static void parses_the_loaders_lines(void **state)
{
	char path[256];

	(void)state;
	assert_true(needed_libraries__parse_line(
		"\tlibcudart.so.12 => /opt/cuda/lib64/libcudart.so.12 (0x00007f7f3898b000)", path,
		sizeof(path)));
	assert_string_equal(path, "/opt/cuda/lib64/libcudart.so.12");
	assert_true(needed_libraries__parse_line("\t/lib64/ld-linux-x86-64.so.2 (0x00007f7f3899f000)",
						 path, sizeof(path)));
	assert_string_equal(path, "/lib64/ld-linux-x86-64.so.2");
	assert_false(needed_libraries__parse_line("\tlinux-vdso.so.1 (0x00007ffd5a1f2000)", path,
						  sizeof(path)));
	assert_false(needed_libraries__parse_line("\tlibcuda.so.1 => not found", path, sizeof(path)));
	assert_false(needed_libraries__parse_line("\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)",
						  path, 8));   /* too long for the buffer */
}

static void lists_a_dynamic_executables_libraries(void **state)
{
	char **paths;
	size_t count;
	bool libc = false;

	(void)state;
	assert_int_equal(needed_libraries__list("/proc/self/exe", &paths, &count), 0);
	for (size_t i = 0; i < count; i++) {
		assert_int_equal(paths[i][0], '/');
		libc |= strstr(paths[i], "/libc.so") != NULL;
	}
	assert_true(libc);
	file_paths__free(paths, count);
	assert_int_equal(needed_libraries__list("/nonexistent", &paths, &count), 0);
	assert_int_equal(count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_the_loaders_lines),
		cmocka_unit_test(lists_a_dynamic_executables_libraries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
