// SPDX-License-Identifier: GPL-2.0
#include "session/registry.h"

#include <stdio.h>
#include <stdlib.h>

#include "analysis/runner.h"
#include "target/procinfo.h"
#include "util/grow.h"

void registry__init(struct registry *r, size_t limit)
{
	*r = (struct registry){ .limit = limit };
}

struct traced_process *registry__add(struct registry *r, pid_t pid)
{
	struct traced_process *p;

	if (r->count >= r->limit ||
	    grow_for_one((void **)&r->procs, &r->capacity, r->count, sizeof(*r->procs)))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->marks.top_id = -1;
	p->start_time = procinfo__start_time(pid);
	if (!procinfo__comm(pid, p->comm, sizeof(p->comm)))
		snprintf(p->comm, sizeof(p->comm), "?");
	r->procs[r->count++] = p;
	return p;
}

struct traced_process *registry__find(const struct registry *r, pid_t pid)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->procs[i]->pid == pid)
			return r->procs[i];
	return NULL;
}

static void free_entry(struct traced_process *p)
{
	symbolizer__release(&p->sym);
	stack_marks__free(&p->marks);
	stack_marks__free(&p->window_marks);
	window_leaks__free(&p->window_leaks);
	analysis_process__free(p->analysis);
	free(p);
}

void registry__remove(struct registry *r, struct traced_process *p)
{
	for (size_t i = 0; i < r->count; i++) {
		if (r->procs[i] == p) {
			r->procs[i] = r->procs[--r->count];
			free_entry(p);
			return;
		}
	}
}

void registry__free(struct registry *r)
{
	for (size_t i = 0; i < r->count; i++)
		free_entry(r->procs[i]);
	free(r->procs);
	*r = (struct registry){ 0 };
}
