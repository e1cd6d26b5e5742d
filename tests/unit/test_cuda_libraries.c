/* target/cuda_libraries.c: which mapped files are CUDA libraries, and the caching
 * allocator's mangled names (as PyTorch's sources declare them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "target/cuda_libraries.h"

static void tells_the_layers_by_file_name(void **state)
{
	(void)state;
	assert_int_equal(cuda_library_layer("/usr/lib/x86_64-linux-gnu/libcuda.so.1"), CUDA_LAYER_DRIVER);
	assert_int_equal(cuda_library_layer("/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15"),
			 CUDA_LAYER_DRIVER);
	assert_int_equal(cuda_library_layer("/opt/venv/lib/python3.11/site-packages/nvidia/"
					    "cuda_runtime/lib/libcudart.so.12"), CUDA_LAYER_RUNTIME);
	assert_int_equal(cuda_library_layer("/usr/local/cuda/lib64/libcudart.so.12.4.127"),
			 CUDA_LAYER_RUNTIME);
	assert_int_equal(cuda_library_layer("/opt/venv/lib/python3.11/site-packages/torch/lib/"
					    "libc10_cuda.so"), CUDA_LAYER_CACHING);
	assert_int_equal(cuda_library_layer("libcudart.so"), CUDA_LAYER_RUNTIME);
	/* Other CUDA libraries allocate through the runtime or the driver: not probed again. */
	assert_int_equal(cuda_library_layer("/usr/lib/libcudnn.so.9"), CUDA_LAYER_NONE);
	assert_int_equal(cuda_library_layer("/usr/lib/libcublas.so.12"), CUDA_LAYER_NONE);
	assert_int_equal(cuda_library_layer("/usr/lib/libcuda_helper.so"), CUDA_LAYER_NONE);
	assert_int_equal(cuda_library_layer("/opt/cuda/libcuda.so.1/x"), CUDA_LAYER_NONE);
	assert_int_equal(cuda_library_layer("/usr/lib/libc10.so"), CUDA_LAYER_NONE);
}

static void finds_the_caching_allocators_malloc(void **state)
{
	(void)state;
	/* malloc(void**, signed char, unsigned long, CUstream_st*) */
	assert_true(cuda_is_caching_malloc("_ZN3c104cuda20CUDACachingAllocator6Native22"
					   "NativeCachingAllocator6mallocEPPvamP11CUstream_st"));
	/* Not its emptyCache, nor a malloc of another signature or class. */
	assert_false(cuda_is_caching_malloc("_ZN3c104cuda20CUDACachingAllocator6Native22"
					    "NativeCachingAllocator10emptyCacheEv"));
	assert_false(cuda_is_caching_malloc("_ZN3c104cuda20CUDACachingAllocator6Native22"
					    "NativeCachingAllocator6mallocEm"));
	assert_false(cuda_is_caching_malloc("_ZN3c104cuda20CUDACachingAllocator6Native22"
					    "DeviceCachingAllocator6mallocEamP11CUstream_st"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tells_the_layers_by_file_name),
		cmocka_unit_test(finds_the_caching_allocators_malloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
