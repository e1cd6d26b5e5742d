// SPDX-License-Identifier: GPL-2.0
/* Ground truth for tests/e2e/test_gpu.sh: known CUDA allocations on two devices through the
 * stand-in runtime and driver (tests/targets/fake_cuda/). After "go":
 *   device 0 (never set: the default): load_weights cudaMalloc 3 x 1 MiB, one freed;
 *     stream_scratch cudaMallocAsync 512 KiB, cudaFreeAsync'ed; cudaFree(NULL);
 *     reserve_expandable cuMemCreate 512 KiB on device 0 (its properties say so), cuMemMap'ed
 *   device 1 (cudaSetDevice): alloc_activations cudaMalloc 2 x 4 MiB; cudaMallocManaged
 *     64 KiB; cudaMallocHost 8 KiB (pinned host); one cudaMalloc of 2 GiB that fails, one
 *     of 0 bytes (succeeds with no block);
 *     driver_alloc cuMemAlloc_v2 2 MiB (the application's own driver call)
 *   driver contexts (no cudaSetDevice): driver_context_alloc makes device 0's primary context
 *     current and cuMemAlloc_v2's 1 MiB there, then creates a context on device 1 and pushes
 *     it: cuMemAlloc_v2 256 KiB there
 * then "done", and holds everything until its stdin closes. */
#include <stdint.h>

#include "../handshake.h"
#include "fake_cuda.h"

#define KiB 1024ul
#define MiB (1024ul * KiB)

void *volatile weights[3], *volatile scratch, *volatile activations[2], *volatile managed;
void *volatile pinned, *volatile too_big, *volatile nothing;
CUdeviceptr volatile driver_block, context_blocks[2];
CUmemGenericAllocationHandle volatile expandable;

__attribute__((noinline)) static void load_weights(void)
{
	for (int i = 0; i < 3; i++)
		cudaMalloc((void **)&weights[i], 1 * MiB);
	cudaFree(weights[1]);
}

__attribute__((noinline)) static void stream_scratch(void)
{
	cudaMallocAsync((void **)&scratch, 512 * KiB, 0);
	cudaFreeAsync(scratch, 0);
	cudaFree(0);
}

__attribute__((noinline)) static void reserve_expandable(void)
{
	CUmemAllocationProp prop = { .type = CU_MEM_ALLOCATION_TYPE_PINNED,
				     .location = { CU_MEM_LOCATION_TYPE_DEVICE, 0 } };
	CUmemGenericAllocationHandle handle;

	cuMemCreate(&handle, 512 * KiB, &prop, 0);
	cuMemMap(0x7f0000000000ull, 512 * KiB, 0, handle, 0);
	expandable = handle;
}

__attribute__((noinline)) static void alloc_activations(void)
{
	for (int i = 0; i < 2; i++)
		cudaMalloc((void **)&activations[i], 4 * MiB);
	cudaMallocManaged((void **)&managed, 64 * KiB, 1);
	cudaMallocHost((void **)&pinned, 8 * KiB);
	cudaMalloc((void **)&too_big, 2048 * MiB);
	cudaMalloc((void **)&nothing, 0);
}

__attribute__((noinline)) static void driver_alloc(void)
{
	CUdeviceptr p;

	cuMemAlloc_v2(&p, 2 * MiB);
	driver_block = p;
}

__attribute__((noinline)) static void driver_context_alloc(void)
{
	CUcontext primary, created;
	CUdeviceptr p;

	cuDevicePrimaryCtxRetain(&primary, 0);
	cuCtxSetCurrent(primary);
	cuMemAlloc_v2(&p, 1 * MiB);
	context_blocks[0] = p;
	cuCtxCreate_v2(&created, 0, 1);
	cuCtxPushCurrent_v2(created);
	cuMemAlloc_v2(&p, 256 * KiB);
	context_blocks[1] = p;
}

int main(void)
{
	say_ready();
	wait_line();
	load_weights();
	stream_scratch();
	reserve_expandable();
	cudaSetDevice(1);
	alloc_activations();
	driver_alloc();
	driver_context_alloc();
	say("done\n");
	wait_line();
	return 0;
}
