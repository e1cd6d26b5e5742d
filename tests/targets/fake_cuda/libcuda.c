// SPDX-License-Identifier: GPL-2.0
/* A stand-in libcuda.so.1 for the GPU tests: the driver's allocation calls over a fake device
 * address space (each device a range that is never mapped; addresses are not reused). The
 * thread's current context (cuCtxSetCurrent, cuCtxPushCurrent_v2) names its device, as a
 * primary context (cuDevicePrimaryCtxRetain) or a created one (cuCtxCreate_v2) says. */
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

struct CUctx_st {
	int device;
};

static struct CUctx_st primary[DEVICES];

CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, int dev)
{
	if (dev < 0 || dev >= DEVICES)
		return CUDA_ERROR_OUT_OF_MEMORY;
	primary[dev].device = dev;
	*pctx = &primary[dev];
	return 0;
}

CUresult cuCtxCreate_v2(CUcontext *pctx, unsigned int flags, int dev)
{
	(void)flags;
	if (dev < 0 || dev >= DEVICES || !(*pctx = malloc(sizeof(**pctx))))
		return CUDA_ERROR_OUT_OF_MEMORY;
	(*pctx)->device = dev;
	return cuCtxSetCurrent(*pctx);
}

CUresult cuCtxSetCurrent(CUcontext ctx)
{
	current_device = ctx ? ctx->device : 0;
	return 0;
}

CUresult cuCtxPushCurrent_v2(CUcontext ctx)
{
	return cuCtxSetCurrent(ctx);
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
