/* Which mapped files are CUDA libraries, and the names PyTorch's caching allocator is found
 * by (docs/gpu.md says how they were checked). */
#ifndef MEMTRACE_CUDA_LIBRARIES_H
#define MEMTRACE_CUDA_LIBRARIES_H

#include <stdbool.h>

enum cuda_layer {
	CUDA_LAYER_NONE,
	CUDA_LAYER_RUNTIME,          /* libcudart.so* */
	CUDA_LAYER_DRIVER,           /* libcuda.so* */
	CUDA_LAYER_CACHING,          /* libc10_cuda.so*: PyTorch's caching allocator */
};

/* The layer a file is, by its name (any version suffix). */
enum cuda_layer cuda_library_layer(const char *path);

/* Without USDT: c10::cuda::CUDACachingAllocator::Native::NativeCachingAllocator::free(void*),
 * and whether symbol is its malloc(void**, signed char, unsigned long, CUstream_st*) (the
 * stream's type name may differ: the mangled name is matched up to it). */
#define CUDA_CACHING_FREE_SYMBOL \
	"_ZN3c104cuda20CUDACachingAllocator6Native22NativeCachingAllocator4freeEPv"
bool cuda_is_caching_malloc(const char *symbol);

#endif
