// SPDX-License-Identifier: GPL-2.0
/* A stand-in libcuda.so.1 for the GPU tests: the driver's allocation calls over a fake device
 * address space (each device a range that is never mapped; addresses are not reused). The
 * thread's context names its device, as cuCtxSetCurrent sets it. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "fake_cuda.h"

#define DEVICES 8
#define DEVICE_BASE 0x7e0000000000ull
#define DEVICE_SPAN (1ull << 36)
#define DEVICE_CAPACITY (1ull << 30)    /* a larger request fails: out of memory */
#define ALIGNMENT 512

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t next_offset[DEVICES];
static CUmemGenericAllocationHandle next_handle = 1;
static __thread int current_device;

CUresult cuCtxSetCurrent(CUcontext ctx)
{
	current_device = (int)((uintptr_t)ctx - 1);
	return 0;
}

static CUresult device_alloc(CUdeviceptr *dptr, size_t size)
{
	int dev = current_device;

	*dptr = 0;
	if (!size)
		return 0;                       /* as CUDA: success, no block */
	if (dev < 0 || dev >= DEVICES || size > DEVICE_CAPACITY)
		return CUDA_ERROR_OUT_OF_MEMORY;
	pthread_mutex_lock(&lock);
	*dptr = DEVICE_BASE + (uint64_t)dev * DEVICE_SPAN + next_offset[dev];
	next_offset[dev] += (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
	pthread_mutex_unlock(&lock);
	return 0;
}

CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize)
{
	return device_alloc(dptr, bytesize);
}

CUresult cuMemFree_v2(CUdeviceptr dptr)
{
	(void)dptr;
	return 0;
}

CUresult cuMemAllocAsync(CUdeviceptr *dptr, size_t bytesize, CUstream stream)
{
	(void)stream;
	return device_alloc(dptr, bytesize);
}

CUresult cuMemFreeAsync(CUdeviceptr dptr, CUstream stream)
{
	(void)stream;
	return cuMemFree_v2(dptr);
}

CUresult cuMemAllocManaged(CUdeviceptr *dptr, size_t bytesize, unsigned int flags)
{
	(void)flags;
	return device_alloc(dptr, bytesize);
}

CUresult cuMemAllocHost_v2(void **pp, size_t bytesize)
{
	*pp = aligned_alloc(4096, (bytesize + 4095) / 4096 * 4096);
	return *pp ? 0 : CUDA_ERROR_OUT_OF_MEMORY;
}

CUresult cuMemFreeHost(void *p)
{
	free(p);
	return 0;
}

CUresult cuMemCreate(CUmemGenericAllocationHandle *handle, size_t size,
		     const CUmemAllocationProp *prop, unsigned long long flags)
{
	(void)flags;
	if (!prop || prop->location.id < 0 || prop->location.id >= DEVICES || !size)
		return CUDA_ERROR_OUT_OF_MEMORY;
	pthread_mutex_lock(&lock);
	*handle = next_handle++;
	pthread_mutex_unlock(&lock);
	return 0;
}

CUresult cuMemRelease(CUmemGenericAllocationHandle handle)
{
	(void)handle;
	return 0;
}

CUresult cuMemMap(CUdeviceptr ptr, size_t size, size_t offset, CUmemGenericAllocationHandle handle,
		  unsigned long long flags)
{
	(void)ptr, (void)size, (void)offset, (void)handle, (void)flags;
	return 0;
}
