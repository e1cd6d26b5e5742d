// SPDX-License-Identifier: GPL-2.0
#include "analysis/baseline.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int metric_set__add(struct metric_set *set, const char *name, double value)
{
	char *copy;

	if (set->count == set->capacity) {
		size_t cap = set->capacity ? set->capacity * 2 : 16;
		struct metric *more = realloc(set->items, cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		set->items = more;
		set->capacity = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	set->items[set->count++] = (struct metric){ .name = copy, .value = value };
	return 0;
}

void metric_set__free(struct metric_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		free((char *)set->items[i].name);
	free(set->items);
	*set = (struct metric_set){ 0 };
}

static bool number_at(json_object *obj, const char *key, double *out)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v))
		return false;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return false;
	*out = json_object_get_double(v);
	return true;
}

int baseline__parse_line(const char *line, struct metric_set *out)
{
	json_object *root = json_tokener_parse(line), *type, *native, *python, *types, *sys;
	double v, elapsed;
	int err = 0;

	*out = (struct metric_set){ 0 };
	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EINVAL;
	}
	if (!json_object_object_get_ex(root, "type", &type) ||
	    strcmp(json_object_get_string(type), "summary")) {
		json_object_put(root);
		return -EINVAL;
	}
	if (number_at(root, "rss_bytes", &v) && v > 0)
		err = err ?: metric_set__add(out, "rss_bytes", v);
	if (json_object_object_get_ex(root, "system", &sys) && number_at(sys, "pss_bytes", &v) &&
	    v > 0)
		err = err ?: metric_set__add(out, "pss_bytes", v);
	if (json_object_object_get_ex(root, "native", &native)) {
		if (number_at(native, "live_bytes", &v))
			err = err ?: metric_set__add(out, "live_bytes", v);
		if (number_at(native, "live_allocs", &v))
			err = err ?: metric_set__add(out, "live_allocs", v);
	}
	if (json_object_object_get_ex(root, "python", &python) &&
	    json_object_is_type(python, json_type_object)) {
		json_object *gc, *coll;

		if (json_object_object_get_ex(python, "types", &types) &&
		    json_object_is_type(types, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(types); i++) {
				json_object *t = json_object_array_get_idx(types, i), *name;
				char key[96];

				if (!json_object_object_get_ex(t, "name", &name) ||
				    !number_at(t, "live", &v))
					continue;
				snprintf(key, sizeof(key), "type:%s", json_object_get_string(name));
				err = err ?: metric_set__add(out, key, v);
			}
		}
		if (json_object_object_get_ex(python, "gc", &gc) &&
		    json_object_object_get_ex(gc, "collections", &coll) &&
		    json_object_is_type(coll, json_type_array) &&
		    number_at(root, "elapsed_ns", &elapsed) && elapsed > 0) {
			double runs = 0;

			for (size_t i = 0; i < json_object_array_length(coll); i++)
				runs += json_object_get_double(json_object_array_get_idx(coll, i));
			err = err ?: metric_set__add(out, "gc_per_s", runs / (elapsed / 1e9));
		}
	}
	json_object_put(root);
	if (err)
		metric_set__free(out);
	return err;
}

int baseline__load(const char *path, struct metric_set *out)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, *best = NULL;
	size_t cap = 0;
	long first_pid = -1;
	int err;

	*out = (struct metric_set){ 0 };
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		json_object *root, *type, *pid;

		if (!strstr(line, "\"summary\""))
			continue;
		root = json_tokener_parse(line);
		if (root && json_object_object_get_ex(root, "type", &type) &&
		    !strcmp(json_object_get_string(type), "summary")) {
			long p = json_object_object_get_ex(root, "pid", &pid) ?
				 (long)json_object_get_int64(pid) : 0;

			if (first_pid < 0)
				first_pid = p;
			if (p == first_pid) {
				free(best);
				best = strdup(line);
			}
		}
		json_object_put(root);
	}
	free(line);
	fclose(f);
	if (!best)
		return -ENOENT;
	err = baseline__parse_line(best, out);
	free(best);
	return err;
}
