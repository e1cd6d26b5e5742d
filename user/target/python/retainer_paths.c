// SPDX-License-Identifier: GPL-2.0
#include "target/python/retainer_paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARROW " \xe2\x86\x92 " /* → */

/* Appends s at *at, keeping out NUL-terminated; a path that does not fit is cut. */
static void append(char *out, size_t size, size_t *at, const char *s)
{
	int n;

	if (*at >= size)
		return;
	n = snprintf(out + *at, size - *at, "%s", s);
	*at = n < 0 ? size : *at + (size_t)n;
}

void retainer_path__format(char *out, size_t size, const char *module, const char *global,
			   const char *const *types, size_t ntypes, const char *target)
{
	size_t at = 0;

	if (!size)
		return;
	out[0] = '\0';
	append(out, size, &at, module);
	append(out, size, &at, ".");
	append(out, size, &at, global);
	for (size_t i = 0; i < ntypes; i++) {
		append(out, size, &at, i ? ARROW : " (");
		append(out, size, &at, types[i]);
		if (!i)
			append(out, size, &at, ")");
	}
	append(out, size, &at, ARROW);
	append(out, size, &at, target);
}

bool retainer_tally__add(struct retainer_tally *t, const char *path, uint64_t n)
{
	for (size_t i = 0; i < t->count; i++) {
		if (!strcmp(t->rows[i].path, path)) {
			t->rows[i].count += n;
			return true;
		}
	}
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct retainer_path *rows;

		if (cap > RETAINER_TALLY_MAX ||
		    !(rows = realloc(t->rows, cap * sizeof(*rows)))) {
			t->dropped += n;
			return false;
		}
		t->rows = rows;
		t->cap = cap;
	}
	snprintf(t->rows[t->count].path, sizeof(t->rows[t->count].path), "%s", path);
	t->rows[t->count++].count = n;
	return true;
}

static int compare_count(const void *a, const void *b)
{
	const struct retainer_path *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->path, y->path);
}

void retainer_tally__rank(struct retainer_tally *t, uint64_t instances, uint64_t sampled,
			  struct retainer_report *r)
{
	qsort(t->rows, t->count, sizeof(*t->rows), compare_count);
	r->count = t->count < RETAINER_PATHS_MAX ? t->count : RETAINER_PATHS_MAX;
	for (size_t i = 0; i < r->count; i++) {
		r->paths[i] = t->rows[i];
		/* A sample of the instances stands for all of them (rounded to nearest). */
		if (sampled && sampled < instances)
			r->paths[i].count = (uint64_t)((double)t->rows[i].count * (double)instances /
						       (double)sampled + 0.5);
	}
	r->instances = instances;
	r->sampled = sampled;
}

void retainer_tally__free(struct retainer_tally *t)
{
	free(t->rows);
	*t = (struct retainer_tally){ 0 };
}
