"""Ground truth for tests/e2e/test_gpu.sh: a caching pattern through the stand-in
libc10_cuda.so (tests/targets/fake_cuda/c10_cuda.cpp), called with ctypes as PyTorch's
tensors call its caching allocator. Usage: gpu_tensors.py LIBC10_CUDA LIBCUDART.

After "go":
  device 0: make_tensors allocates 20 blocks of 256 KiB (3 segments of 2 MiB), drops the
            first 8 (the first segment's), and empty_cache gives that segment back;
  device 1: make_tensors allocates 3 blocks of 3 MiB (a 4 MiB segment each).
Then it prints what the allocator itself says ("truth DEVICE ALLOCATED RESERVED") and
"done", and holds the rest until its stdin closes."""
import ctypes
import os
import sys

KiB = 1024
MiB = 1024 * KiB

cudart = ctypes.CDLL(sys.argv[2], mode=ctypes.RTLD_GLOBAL)
c10 = ctypes.CDLL(sys.argv[1])
c10.c10_fake_allocate.restype = ctypes.c_void_p
c10.c10_fake_allocate.argtypes = [ctypes.c_size_t]
c10.c10_fake_delete.argtypes = [ctypes.c_void_p]
c10.c10_fake_memory_allocated.restype = ctypes.c_size_t
c10.c10_fake_memory_reserved.restype = ctypes.c_size_t


def make_tensors(count, size):
    tensors = []   # a loop, not a comprehension: its own frame before 3.12
    for _ in range(count):
        tensors.append(c10.c10_fake_allocate(size))
    return tensors


def main():
    print("ready", os.getpid(), flush=True)
    sys.stdin.readline()
    cudart.cudaSetDevice(0)
    small = make_tensors(20, 256 * KiB)
    for ptr in small[:8]:
        c10.c10_fake_delete(ptr)
    c10.c10_fake_empty_cache()
    cudart.cudaSetDevice(1)
    large = make_tensors(3, 3 * MiB)
    for device in (0, 1):
        print("truth", device, c10.c10_fake_memory_allocated(device),
              c10.c10_fake_memory_reserved(device), flush=True)
    print("done", flush=True)
    sys.stdin.readline()
    return small, large


main()
