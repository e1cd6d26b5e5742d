// SPDX-License-Identifier: GPL-2.0
#include "target/cgroup_labels.h"

#include <string.h>

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_hex_id(const char *s, size_t len)
{
	if (len != CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_hex(s[i]))
			return false;
	return true;
}

static bool ends_with(const char *c, size_t len, const char *suffix)
{
	size_t slen = strlen(suffix);

	return len >= slen && !memcmp(c + len - slen, suffix, slen);
}

/* The container id one path component names, if any. */
static bool component_container(const char *c, size_t len, char *id)
{
	static const char *const prefixes[] = { "docker-", "cri-containerd-", "crio-", "libpod-" };
	static const char suffix[] = ".scope";
	size_t slen = sizeof(suffix) - 1;

	if (is_hex_id(c, len)) {
		memcpy(id, c, len);
		id[len] = 0;
		return true;
	}
	if (!ends_with(c, len, suffix))
		return false;
	for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
		size_t plen = strlen(prefixes[p]);

		if (len > plen + slen && !memcmp(c, prefixes[p], plen) &&
		    is_hex_id(c + plen, len - plen - slen)) {
			memcpy(id, c + plen, CONTAINER_ID_LEN);
			id[CONTAINER_ID_LEN] = 0;
			return true;
		}
	}
	return false;
}

/* A pod uid: 8-4-4-4-12 hex digits, the separators '-' (cgroupfs) or '_' (systemd, where
 * '-' means nesting). Written with dashes. */
static bool pod_uid(const char *s, size_t len, char *uid)
{
	if (len != POD_UID_LEN)
		return false;
	for (size_t i = 0; i < len; i++) {
		bool separator = i == 8 || i == 13 || i == 18 || i == 23;

		if (separator ? (s[i] != '-' && s[i] != '_') : !is_hex(s[i]))
			return false;
	}
	for (size_t i = 0; i < len; i++)
		uid[i] = s[i] == '_' ? '-' : s[i];
	uid[len] = 0;
	return true;
}

/* kubepods-besteffort-pod<uid>.slice, kubepods-pod<uid>.slice (systemd driver; kind and k3s
 * prefix it: kubelet-kubepods-...) or pod<uid> (cgroupfs driver). */
static bool component_pod(const char *c, size_t len, char *uid)
{
	static const char slice[] = ".slice";
	size_t slen = sizeof(slice) - 1;

	if (len > 3 + POD_UID_LEN - 1 && !memcmp(c, "pod", 3))
		return pod_uid(c + 3, len - 3, uid);
	if (!memmem(c, len, "kubepods", 8) || !ends_with(c, len, slice))
		return false;
	len -= slen;
	if (len < 4 + POD_UID_LEN || memcmp(c + len - POD_UID_LEN - 4, "-pod", 4))
		return false;
	return pod_uid(c + len - POD_UID_LEN, POD_UID_LEN, uid);
}

void cgroup_labels__parse(const char *cgroup, struct cgroup_labels *out)
{
	const char *end = cgroup + strlen(cgroup);

	out->container[0] = out->pod[0] = 0;
	/* From the innermost component out: the nearest container, the nearest pod. */
	while (end > cgroup) {
		const char *start = end;
		size_t len;

		while (start > cgroup && start[-1] != '/')
			start--;
		len = (size_t)(end - start);
		if (!out->container[0])
			component_container(start, len, out->container);
		if (!out->pod[0])
			component_pod(start, len, out->pod);
		end = start > cgroup ? start - 1 : start;
	}
}
