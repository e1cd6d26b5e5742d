// SPDX-License-Identifier: GPL-2.0
/* A stand-in for PyTorch's libc10_cuda.so for the GPU tests: a caching allocator that takes
 * few large segments from cudaMalloc and hands out many blocks of them, under the names that
 * PyTorch's own has (c10::cuda::CUDACachingAllocator::Native::NativeCachingAllocator::malloc
 * and ::free), with its USDT probes pytorch:malloc(ptr, device, size, stream) and
 * pytorch:free(ptr) behind semaphores, as c10/util/static_tracepoint.h makes them (built
 * without them with -DFAKE_C10_NO_SDT). Freed blocks stay in their segment (the cache) until
 * c10_fake_empty_cache gives empty segments back with cudaFree. Small requests (up to 1 MiB)
 * share 2 MiB segments; a larger one gets a segment of its own, rounded up to 2 MiB. */
#include <mutex>
#include <stddef.h>
#include <stdint.h>

#include "fake_cuda.h"

#ifndef FAKE_C10_NO_SDT
/* A SystemTap SDT note, laid out as <sys/sdt.h> lays it (that header is not installed here). */
#define FAKE_SDT_NOTE(name, args)                                                        \
	"990: nop\n"                                                                        \
	".pushsection .note.stapsdt,\"?\",\"note\"\n"                                     \
	".balign 4\n"                                                                       \
	".4byte 992f-991f, 994f-993f, 3\n"                                                  \
	"991: .asciz \"stapsdt\"\n"                                                         \
	"992: .balign 4\n"                                                                  \
	"993: .8byte 990b\n"                                                                \
	".8byte _.stapsdt.base\n"                                                           \
	".8byte pytorch_" name "_semaphore\n"                                               \
	".asciz \"pytorch\"\n"                                                              \
	".asciz \"" name "\"\n"                                                             \
	".asciz \"" args "\"\n"                                                             \
	"994: .balign 4\n"                                                                  \
	".popsection\n"                                                                     \
	".ifndef _.stapsdt.base\n"                                                          \
	".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n"             \
	".weak _.stapsdt.base\n"                                                            \
	".hidden _.stapsdt.base\n"                                                          \
	"_.stapsdt.base: .space 1\n"                                                        \
	".size _.stapsdt.base, 1\n"                                                         \
	".popsection\n"                                                                     \
	".endif\n"

extern "C" {
__attribute__((used, section(".probes"))) volatile unsigned short pytorch_malloc_semaphore;
__attribute__((used, section(".probes"))) volatile unsigned short pytorch_free_semaphore;
}
#endif

namespace c10 {
namespace cuda {
namespace CUDACachingAllocator {
namespace Native {

struct Segment {
	uintptr_t base;
	size_t size, used;
	int device;
	int live_blocks;
	bool small;
};

struct Block {
	uintptr_t ptr;
	size_t size;
	Segment *segment;
};

class NativeCachingAllocator {
public:
	void malloc(void **devPtr, signed char device, size_t size, CUstream_st *stream);
	void free(void *ptr);
	void emptyCache();
	size_t allocated(int device);
	size_t reserved(int device);

private:
	Segment *grow(int device, size_t size, bool small);
	enum { MAX_SEGMENTS = 256, MAX_BLOCKS = 4096 };
	std::mutex mutex;
	Segment segments[MAX_SEGMENTS];
	int segment_count = 0;
	Block blocks[MAX_BLOCKS];
	int block_count = 0;
};

static const size_t kSmallSize = 1 << 20;
static const size_t kSegmentSize = 2 << 20;

/* A new segment from cudaMalloc on the current device. */
__attribute__((noinline)) Segment *NativeCachingAllocator::grow(int device, size_t size, bool small)
{
	void *base = nullptr;

	if (segment_count == MAX_SEGMENTS || cudaMalloc(&base, size))
		return nullptr;
	segments[segment_count] = Segment{ (uintptr_t)base, size, 0, device, 0, small };
	return &segments[segment_count++];
}

__attribute__((noinline)) void NativeCachingAllocator::malloc(void **devPtr, signed char device,
							       size_t size, CUstream_st *stream)
{
	std::lock_guard<std::mutex> guard(mutex);
	size_t rounded = (size + 511) / 512 * 512;
	bool small = rounded <= kSmallSize;
	Segment *seg = nullptr;

	(void)stream;
	*devPtr = nullptr;
	for (int i = 0; small && i < segment_count && !seg; i++)
		if (segments[i].small && segments[i].device == device && segments[i].size &&
		    segments[i].size - segments[i].used >= rounded)
			seg = &segments[i];
	if (!seg)
		seg = grow(device, small ? kSegmentSize : (rounded + kSegmentSize - 1) / kSegmentSize *
				   kSegmentSize, small);
	if (!seg || block_count == MAX_BLOCKS)
		return;
	blocks[block_count++] = Block{ seg->base + seg->used, size, seg };
	seg->used += rounded;
	seg->live_blocks++;
	*devPtr = (void *)(seg->base + seg->used - rounded);
}

__attribute__((noinline)) void NativeCachingAllocator::free(void *ptr)
{
	std::lock_guard<std::mutex> guard(mutex);

	for (int i = 0; i < block_count; i++) {
		if (blocks[i].ptr != (uintptr_t)ptr)
			continue;
		blocks[i].segment->live_blocks--;
		blocks[i] = blocks[--block_count];
		return;
	}
}

/* Segments without a live block go back to the device; the cache keeps the rest. */
void NativeCachingAllocator::emptyCache()
{
	std::lock_guard<std::mutex> guard(mutex);
	int current = 0;

	cudaGetDevice(&current);
	for (int i = 0; i < segment_count; i++) {
		Segment &s = segments[i];

		if (s.size && !s.live_blocks) {
			cudaSetDevice(s.device);
			cudaFree((void *)s.base);
			s.size = s.used = 0;
		}
	}
	cudaSetDevice(current);
}

size_t NativeCachingAllocator::allocated(int device)
{
	size_t sum = 0;

	for (int i = 0; i < block_count; i++)
		if (blocks[i].segment->device == device)
			sum += blocks[i].size;
	return sum;
}

size_t NativeCachingAllocator::reserved(int device)
{
	size_t sum = 0;

	for (int i = 0; i < segment_count; i++)
		if (segments[i].device == device)
			sum += segments[i].size;
	return sum;
}

static NativeCachingAllocator allocator;

} // namespace Native
} // namespace CUDACachingAllocator
} // namespace cuda
} // namespace c10

using c10::cuda::CUDACachingAllocator::Native::allocator;

/* The entry points the targets call: what at::Tensor's storage does through
 * NativeCachingAllocator::allocate() (the current device, the USDT probe after the block
 * is found) and local_raw_delete() (the USDT probe, then free). */
extern "C" {

__attribute__((noinline)) void *c10_fake_allocate(size_t size)
{
	void *devPtr = nullptr;
	int device = 0;

	cudaGetDevice(&device);
	allocator.malloc(&devPtr, (signed char)device, size, nullptr);
#ifndef FAKE_C10_NO_SDT
	if (pytorch_malloc_semaphore) {
		long ptr_arg = (long)devPtr, device_arg = device, size_arg = (long)size, stream_arg = 0;

		__asm__ __volatile__(FAKE_SDT_NOTE("malloc", "8@%0 8@%1 8@%2 8@%3")
				     :: "r"(ptr_arg), "r"(device_arg), "r"(size_arg), "r"(stream_arg));
	}
#endif
	return devPtr;
}

__attribute__((noinline)) void c10_fake_delete(void *ptr)
{
#ifndef FAKE_C10_NO_SDT
	if (pytorch_free_semaphore) {
		long ptr_arg = (long)ptr;

		__asm__ __volatile__(FAKE_SDT_NOTE("free", "8@%0") :: "r"(ptr_arg));
	}
#endif
	allocator.free(ptr);
}

void c10_fake_empty_cache(void)
{
	allocator.emptyCache();
}

/* The allocator's own figures, the test's truth: what torch.cuda.memory_allocated() and
 * memory_reserved() report. */
size_t c10_fake_memory_allocated(int device)
{
	return allocator.allocated(device);
}

size_t c10_fake_memory_reserved(int device)
{
	return allocator.reserved(device);
}
}
