// SPDX-License-Identifier: GPL-2.0
#include "target/cuda_libraries.h"

#include <string.h>

#define CACHING_MALLOC_PREFIX \
	"_ZN3c104cuda20CUDACachingAllocator6Native22NativeCachingAllocator6mallocEPPvam"

static bool named(const char *base, const char *prefix)
{
	return !strncmp(base, prefix, strlen(prefix));
}

enum cuda_layer cuda_library_layer(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	if (named(base, "libcudart.so"))
		return CUDA_LAYER_RUNTIME;
	if (named(base, "libcuda.so"))
		return CUDA_LAYER_DRIVER;
	if (named(base, "libc10_cuda.so"))
		return CUDA_LAYER_CACHING;
	return CUDA_LAYER_NONE;
}

bool cuda_is_caching_malloc(const char *symbol)
{
	return named(symbol, CACHING_MALLOC_PREFIX);
}
