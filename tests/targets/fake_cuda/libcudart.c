// SPDX-License-Identifier: GPL-2.0
/* A stand-in libcudart.so.12 for the GPU tests: the runtime's allocation calls made, as the
 * real runtime makes them, through the driver (cudaMalloc -> cuMemAlloc_v2), so that the
 * tracer must not count them twice. */
#include <stdint.h>

#include "fake_cuda.h"

static __thread int current_device;

/* As the runtime does: the device's primary context becomes the thread's. */
cudaError_t cudaSetDevice(int device)
{
	CUcontext ctx;

	if (cuDevicePrimaryCtxRetain(&ctx, device))
		return cudaErrorMemoryAllocation;
	current_device = device;
	return cuCtxSetCurrent(ctx);
}

cudaError_t cudaGetDevice(int *device)
{
	*device = current_device;
	return 0;
}

cudaError_t cudaMalloc(void **devPtr, size_t size)
{
	CUdeviceptr p = 0;
	CUresult err = cuMemAlloc_v2(&p, size);

	*devPtr = (void *)(uintptr_t)p;
	return err ? cudaErrorMemoryAllocation : 0;
}

cudaError_t cudaFree(void *devPtr)
{
	return devPtr ? cuMemFree_v2((CUdeviceptr)(uintptr_t)devPtr) : 0;
}

cudaError_t cudaMallocAsync(void **devPtr, size_t size, cudaStream_t stream)
{
	CUdeviceptr p = 0;
	CUresult err = cuMemAllocAsync(&p, size, stream);

	*devPtr = (void *)(uintptr_t)p;
	return err ? cudaErrorMemoryAllocation : 0;
}

cudaError_t cudaFreeAsync(void *devPtr, cudaStream_t stream)
{
	return cuMemFreeAsync((CUdeviceptr)(uintptr_t)devPtr, stream);
}

cudaError_t cudaMallocManaged(void **devPtr, size_t size, unsigned int flags)
{
	CUdeviceptr p = 0;
	CUresult err = cuMemAllocManaged(&p, size, flags);

	*devPtr = (void *)(uintptr_t)p;
	return err ? cudaErrorMemoryAllocation : 0;
}

cudaError_t cudaMallocHost(void **ptr, size_t size)
{
	return cuMemAllocHost_v2(ptr, size) ? cudaErrorMemoryAllocation : 0;
}

cudaError_t cudaFreeHost(void *ptr)
{
	return cuMemFreeHost(ptr);
}
