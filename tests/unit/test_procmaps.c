/* /proc/PID/maps parsing, against lines in the kernel's format and our own live maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "target/procmaps.h"

static void parses_a_file_backed_line(void **state)
{
	struct mapping m;

	(void)state;
	assert_true(procmaps__parse_line("7f12a4c00000-7f12a4c28000 r-xp 00028000 fe:01 1835023"
					 "                    /usr/lib/x86_64-linux-gnu/libc.so.6\n", &m));
	assert_int_equal(m.start, 0x7f12a4c00000ull);
	assert_int_equal(m.end, 0x7f12a4c28000ull);
	assert_int_equal(m.file_offset, 0x28000);
	assert_int_equal(m.inode, 1835023);
	assert_true(m.readable);
	assert_false(m.writable);
	assert_true(m.executable);
	assert_string_equal(m.path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	free(m.path);
}

static void parses_anonymous_and_special_lines(void **state)
{
	struct mapping m;

	(void)state;
	assert_true(procmaps__parse_line("55d0c0a1e000-55d0c0a3f000 rw-p 00000000 00:00 0 "
					 "                 [heap]\n", &m));
	assert_string_equal(m.path, "[heap]");
	assert_true(m.writable);
	free(m.path);
	assert_true(procmaps__parse_line("7ffd1e5f0000-7ffd1e5f2000 rw-p 00000000 00:00 0 \n", &m));
	assert_string_equal(m.path, "");
	assert_int_equal(m.inode, 0);
	free(m.path);
}

static void keeps_spaces_and_deleted_marker_in_paths(void **state)
{
	struct mapping m;

	(void)state;
	assert_true(procmaps__parse_line("400000-401000 r-xp 00000000 08:01 42 /tmp/my dir/a.out "
					 "(deleted)\n", &m));
	assert_string_equal(m.path, "/tmp/my dir/a.out (deleted)");
	free(m.path);
}

static void rejects_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"", "garbage", "7f00-7e00 r-xp 0 fe:01 1 /x", "zz-10 r-xp 0 fe:01 1 /x",
		"1000-2000 r-x 0 fe:01 1 /x", "1000-2000 r-xp 0 fe01 1 /x", "1000-2000",
	};
	struct mapping m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool parsed = procmaps__parse_line(bad[i], &m);

		if (parsed)
			free(m.path);
		assert_false(parsed);
	}
}

/* Our own maps hold the code of this very function, in this executable. */
static void reads_and_finds_in_live_maps(void **state)
{
	struct procmaps maps;
	const struct mapping *m;
	char self[4096];
	ssize_t n;

	(void)state;
	assert_int_equal(procmaps__read(getpid(), &maps), 0);
	assert_true(maps.count > 5);
	m = procmaps__find(&maps, (uint64_t)(uintptr_t)&reads_and_finds_in_live_maps);
	assert_non_null(m);
	assert_true(m->executable);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	assert_string_equal(m->path, self);
	assert_null(procmaps__find(&maps, 0));
	procmaps__free(&maps);
}

static void missing_process_is_enoent(void **state)
{
	struct procmaps maps;

	(void)state;
	assert_int_equal(procmaps__read(0x7ffffff, &maps), -2 /* -ENOENT */);
}

static void files_to_probe_are_the_modules_given(void **state)
{
	const char *const modules[] = { "/a/libx.so", "/b/liby.so", NULL };
	char **paths;
	size_t count;

	(void)state;
	assert_int_equal(procmaps__files_to_probe(getpid(), modules, &paths, &count), 0);
	assert_int_equal(count, 2);
	assert_string_equal(paths[0], "/a/libx.so");
	assert_string_equal(paths[1], "/b/liby.so");
	file_paths__free(paths, count);
}

/* Our own executable mappings, each file once, opened through /proc/PID/root. */
static void files_to_probe_are_the_executable_mappings_once(void **state)
{
	struct procmaps maps;
	char **paths, prefix[64], self[4096];
	size_t count, files = 0, self_listed = 0;
	ssize_t n;

	(void)state;
	assert_int_equal(procmaps__read(getpid(), &maps), 0);
	for (size_t i = 0; i < maps.count; i++) {
		const struct mapping *m = &maps.mappings[i];
		bool earlier = false;

		for (size_t j = 0; j < i; j++)
			earlier |= maps.mappings[j].executable && !strcmp(maps.mappings[j].path, m->path);
		files += m->executable && m->path[0] == '/' && !earlier;
	}
	procmaps__free(&maps);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	snprintf(prefix, sizeof(prefix), "/proc/%d/root", (int)getpid());

	assert_int_equal(procmaps__files_to_probe(getpid(), NULL, &paths, &count), 0);
	assert_true(files >= 2);   /* this test and libc at least */
	assert_int_equal(count, files);
	for (size_t i = 0; i < count; i++) {
		assert_memory_equal(paths[i], prefix, strlen(prefix));
		self_listed += !strcmp(paths[i] + strlen(prefix), self);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(paths[i], paths[j]);
	}
	assert_int_equal(self_listed, 1);
	file_paths__free(paths, count);
	assert_int_equal(procmaps__files_to_probe(0x7ffffff, NULL, &paths, &count), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_a_file_backed_line),
		cmocka_unit_test(parses_anonymous_and_special_lines),
		cmocka_unit_test(keeps_spaces_and_deleted_marker_in_paths),
		cmocka_unit_test(rejects_malformed_lines),
		cmocka_unit_test(reads_and_finds_in_live_maps),
		cmocka_unit_test(missing_process_is_enoent),
		cmocka_unit_test(files_to_probe_are_the_modules_given),
		cmocka_unit_test(files_to_probe_are_the_executable_mappings_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
