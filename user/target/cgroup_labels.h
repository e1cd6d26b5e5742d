/* What a cgroup v2 path says about the process in it: the container id and the Kubernetes
 * pod uid, where the path's naming tells them (docker, containerd, CRI-O, podman, kubelet's
 * systemd and cgroupfs drivers). Plain C, unit-tested (tests/unit/test_cgroup_labels.c). */
#ifndef MEMTRACE_CGROUP_LABELS_H
#define MEMTRACE_CGROUP_LABELS_H

#include <stdbool.h>

#define CONTAINER_ID_LEN 64
#define POD_UID_LEN 36           /* 8-4-4-4-12 hex digits and dashes */

struct cgroup_labels {
	char container[CONTAINER_ID_LEN + 1];   /* "": the path names none */
	char pod[POD_UID_LEN + 1];              /* "": the path names none */
};

/* The innermost component naming a container wins (docker-ID.scope, cri-containerd-ID.scope,
 * crio-ID.scope, libpod-ID.scope, or a bare 64-hex id as cgroupfs drivers name them); the
 * pod is the component kubepods-...-podUID.slice or podUID, its underscores as dashes. */
void cgroup_labels__parse(const char *cgroup, struct cgroup_labels *out);

#endif
