/* Container ids and pod uids from cgroup v2 paths (target/cgroup_labels.c), on the shapes
 * docker, containerd, CRI-O, podman and the kubelet's two cgroup drivers make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "target/cgroup_labels.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define UID "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"
#define UID_SYSTEMD "1f2e3d4c_5b6a_4978_8a9b_0c1d2e3f4a5b"

static void labels(const char *cgroup, const char *container, const char *pod)
{
	struct cgroup_labels l;

	cgroup_labels__parse(cgroup, &l);
	assert_string_equal(l.container, container ? container : "");
	assert_string_equal(l.pod, pod ? pod : "");
}

static void finds_container_ids(void **state)
{
	(void)state;
	labels("/system.slice/docker-" ID ".scope", ID, NULL);
	labels("/docker/" ID, ID, NULL);                                   /* cgroupfs driver */
	labels("/machine.slice/libpod-" ID ".scope/container", ID, NULL);  /* podman's inner group */
	labels("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope",
	       ID, NULL);                                                  /* rootless podman */
	labels("/system.slice/crio-" ID ".scope", ID, NULL);
	/* The innermost id: a container started inside another (docker in docker). */
	labels("/system.slice/docker-" ID ".scope/docker/" ID2, ID2, NULL);
}

static void finds_pods_and_their_containers(void **state)
{
	(void)state;
	/* kubelet, systemd driver: the uid's dashes written as underscores. */
	labels("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_SYSTEMD
	       ".slice/cri-containerd-" ID ".scope", ID, UID);
	labels("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_SYSTEMD
	       ".slice/crio-" ID ".scope", ID, UID);
	labels("/kubepods.slice/kubepods-pod" UID_SYSTEMD ".slice/crio-" ID ".scope", ID, UID);
	/* The pod's own slice, no container in the path (the pause sandbox's parent). */
	labels("/kubepods.slice/kubepods-pod" UID_SYSTEMD ".slice", NULL, UID);
	/* cgroupfs driver: dashes kept. */
	labels("/kubepods/burstable/pod" UID "/" ID, ID, UID);
	labels("/kubepods/pod" UID "/" ID, ID, UID);
	/* k3s / kind nest kubepods under their own group. */
	labels("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	       "kubelet-kubepods-besteffort-pod" UID_SYSTEMD ".slice/cri-containerd-" ID ".scope",
	       ID, UID);
}

static void finds_nothing_where_the_path_names_nothing(void **state)
{
	(void)state;
	labels("/", NULL, NULL);
	labels("", NULL, NULL);
	labels("/user.slice/user-0.slice/session-3.scope", NULL, NULL);
	labels("/system.slice/docker.service", NULL, NULL);
	labels("/system.slice/docker-" ID ".scopex", NULL, NULL);
	labels("/system.slice/docker-0123456789abcdef.scope", NULL, NULL);   /* too short */
	labels("/docker/" ID "0", NULL, NULL);                               /* 65 digits */
	labels("/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	       NULL, NULL);                                                  /* upper case */
	labels("/system.slice/rkt-" ID ".scope", NULL, NULL);                /* not one we know */
	labels("/system.slice/crio-conmon-" ID ".scope", NULL, NULL);        /* CRI-O's monitor */
	labels("/kubepods.slice/kubepods-pod1f2e3d4c.slice", NULL, NULL);    /* not a uid */
	labels("/kubepods.slice/kubepods-podzf2e3d4c_5b6a_4978_8a9b_0c1d2e3f4a5b.slice",
	       NULL, NULL);
	labels("/kubepods/pod" UID "x", NULL, NULL);
	labels("/podcast/" UID, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_container_ids),
		cmocka_unit_test(finds_pods_and_their_containers),
		cmocka_unit_test(finds_nothing_where_the_path_names_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
