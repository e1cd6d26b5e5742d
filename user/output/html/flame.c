// SPDX-License-Identifier: GPL-2.0
/* The flame graph of live bytes by stack, drawn as an icicle (the process on top, each
 * callee below its caller, widths by bytes) in SVG; the page's script zooms and searches it
 * (page.c). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/html/html.h"
#include "util/grow.h"

#define FLAME_WIDTH 1200.0
#define ROW_HEIGHT 17
#define MIN_WIDTH_PX 0.3         /* narrower boxes are left out (their bytes stay in the parent) */

int flame__add(struct flame_node *root, const char *const *names, const bool *python,
	       size_t depth, uint64_t bytes)
{
	struct flame_node *node = root;

	root->bytes += bytes;
	for (size_t d = 0; d < depth; d++) {
		struct flame_node *child = NULL;

		for (size_t c = 0; c < node->child_count; c++)
			if (!strcmp(node->children[c].name, names[d])) {
				child = &node->children[c];
				break;
			}
		if (!child) {
			if (grow_for_one((void **)&node->children, &node->child_cap, node->child_count,
					 sizeof(*node->children)))
				return -1;
			child = &node->children[node->child_count];
			*child = (struct flame_node){ .name = strdup(names[d]), .python = python[d] };
			if (!child->name)
				return -1;
			node->child_count++;
		}
		child->bytes += bytes;
		node = child;
	}
	return 0;
}

void flame__free(struct flame_node *node)
{
	for (size_t c = 0; c < node->child_count; c++)
		flame__free(&node->children[c]);
	free(node->children);
	free(node->name);
}

static int by_bytes(const void *a, const void *b)
{
	const struct flame_node *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : strcmp(x->name, y->name);
}

static int depth_of(const struct flame_node *node)
{
	int deepest = 0;

	for (size_t c = 0; c < node->child_count; c++) {
		int d = depth_of(&node->children[c]);

		if (d > deepest)
			deepest = d;
	}
	return deepest + 1;
}

/* A box per node: x and w as shares of the root (data-x, data-w) for the script's zoom. */
static void write_node(FILE *f, struct flame_node *node, double x, int depth, uint64_t total)
{
	double w = total ? (double)node->bytes / total : 0, child_x = x;
	char bytes[48];

	if (w * FLAME_WIDTH < MIN_WIDTH_PX)
		return;
	html_bytes(bytes, sizeof(bytes), node->bytes);
	fprintf(f, "<g class=\"fn%s\" data-x=\"%.7f\" data-w=\"%.7f\" data-d=\"%d\">"
		"<title>", depth == 0 ? " root" : node->python ? " py" : " native", x, w, depth);
	html_escape(f, node->name);
	fprintf(f, " — %s, %" PRIu64 " bytes (%.2f%%)</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
		"height=\"%d\"/><text x=\"%.2f\" y=\"%d\">", bytes, node->bytes, w * 100, x * FLAME_WIDTH,
		depth * ROW_HEIGHT, w * FLAME_WIDTH, ROW_HEIGHT - 1, x * FLAME_WIDTH + 3,
		depth * ROW_HEIGHT + ROW_HEIGHT - 5);
	html_escape(f, node->name);
	fputs("</text></g>\n", f);
	if (node->child_count > 1)
		qsort(node->children, node->child_count, sizeof(*node->children), by_bytes);
	for (size_t c = 0; c < node->child_count; c++) {
		write_node(f, &node->children[c], child_x, depth + 1, total);
		child_x += total ? (double)node->children[c].bytes / total : 0;
	}
}

void flame__write(FILE *f, struct flame_node *root, int id)
{
	int rows = depth_of(root);

	if (!root->bytes) {
		fputs("<p class=\"none\">No live bytes by stack at the end (no stack held "
		      "memory, or stacks were not recorded).</p>\n", f);
		return;
	}
	fprintf(f, "<div class=\"flame-tools\"><input type=\"search\" id=\"search%d\" "
		"placeholder=\"search (regex)\" data-flame=\"flame%d\"> <button data-reset=\"flame%d\">"
		"reset zoom</button> <span class=\"matched\" id=\"matched%d\"></span></div>\n",
		id, id, id, id);
	fprintf(f, "<svg class=\"flame\" id=\"flame%d\" viewBox=\"0 0 %.0f %d\" width=\"100%%\" "
		"preserveAspectRatio=\"xMinYMin meet\">\n", id, FLAME_WIDTH, rows * ROW_HEIGHT);
	write_node(f, root, 0, 0, root->bytes);
	fputs("</svg>\n", f);
}
