# memtrace-bpf: `make` builds, `make test` runs every test, `make demo` traces a bundled workload.
# Build output goes under .output/; V=1 shows the commands.
OUTPUT := .output
SHELL := /bin/bash
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_DIR := vmlinux/$(ARCH)

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra $(EXTRA_CFLAGS)
INCLUDES := -I$(OUTPUT) -Iinclude -Iuser
# Each object lists the headers it read (-MMD) in a .d file beside it, included below.
DEPFLAGS = -MMD -MP -MF $@.d
# Recursive (=) so that a fresh machine evaluates them after `deps` installed libbpf-dev.
LIBBPF_LIBS = $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf)
LIBS = $(LIBBPF_LIBS) -lelf -lz -lm -ljson-c -liberty -lcapstone -lmicrohttpd -lsqlite3 -lpthread
BPF_CFLAGS := -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(ARCH) -I$(VMLINUX_DIR) -Iinclude

BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
# Library membership by folder (docs/architecture.md): the loader is user/session/ and
# user/probes/, the only code that touches libbpf; everything else is plain C, linked into the
# unit tests too.
USER_SRCS := $(shell find user -name '*.c')
LOADER_SRCS := $(filter user/session/% user/probes/%,$(USER_SRCS))
CORE_SRCS := $(filter-out $(LOADER_SRCS),$(USER_SRCS))
CORE_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(CORE_SRCS))
LOADER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(LOADER_SRCS))
CORE_LIB := $(OUTPUT)/libmemtrace-core.a

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))
FIXTURES := $(patsubst tests/unit/fixtures/%.c,$(OUTPUT)/tests/%.so,$(wildcard tests/unit/fixtures/*.c)) \
	$(patsubst tests/unit/fixtures/%.c,$(OUTPUT)/tests/%-stripped.so,$(wildcard tests/unit/fixtures/*.c)) \
	$(patsubst tests/unit/fixtures/%.cpp,$(OUTPUT)/tests/%.so,$(wildcard tests/unit/fixtures/*.cpp))
FAKE_CUDA := $(OUTPUT)/targets/fake_cuda
TARGETS := $(patsubst tests/targets/%.c,$(OUTPUT)/targets/%,$(wildcard tests/targets/*.c)) \
	$(OUTPUT)/targets/static_hold_stripped $(OUTPUT)/tools/pycode_resolve \
	$(FAKE_CUDA)/gpu_alloc $(FAKE_CUDA)/libc10_cuda.so $(FAKE_CUDA)/nosdt/libc10_cuda.so

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all deps test check unit e2e demo vmlinux clean bench sanitize fuzz test-bins fuzzers
.DELETE_ON_ERROR:
.SECONDARY:

all: memtrace-bpf

deps:
	$(Q)tools/install-deps.sh

# The two commands of the README: each installs what is missing first, then builds.
test: deps
	$(Q)$(MAKE) --no-print-directory check

demo: deps
	$(Q)$(MAKE) --no-print-directory memtrace-bpf
	$(Q)tools/demo.sh

check: memtrace-bpf $(FIXTURES) $(UNIT_TESTS) $(TARGETS)
	$(Q)tests/run-tests.sh $(OUTPUT)

unit: $(FIXTURES) $(UNIT_TESTS)
	$(Q)tests/run-tests.sh $(OUTPUT) unit

e2e: memtrace-bpf $(TARGETS)
	$(Q)tests/run-tests.sh $(OUTPUT) e2e

vmlinux:
	$(call msg,GEN,$(VMLINUX_DIR)/vmlinux.h)
	$(Q)mkdir -p $(VMLINUX_DIR)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX_DIR)/vmlinux.h

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(VMLINUX_DIR)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@
	$(Q)llvm-strip -g $@

# libbpf's usdt.bpf.h includes <linux/errno.h>, whose <asm/errno.h> is under the multiarch dir.
$(OUTPUT)/gpu.bpf.o: BPF_CFLAGS += -idirafter /usr/include/$(shell uname -m)-linux-gnu

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(INCLUDES) -c $< -o $@

# The loader's objects include the skeletons: rebuilt when a BPF program changes.
$(LOADER_OBJS): $(SKELS)

$(CORE_LIB): $(CORE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

memtrace-bpf: $(LOADER_OBJS) $(CORE_LIB)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(CORE_LIB)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(INCLUDES) -DFIXTURE_DIR='"$(abspath $(OUTPUT)/tests)"' $< $(CORE_LIB) \
		$(LIBS) -lcmocka -o $@

# Line tables captured from each CPython (tests/unit/fixtures/pycode/capture.py).
$(OUTPUT)/tests/test_pycode: private CFLAGS += -DPYCODE_FIXTURES='"$(abspath tests/unit/fixtures/pycode)"'
$(OUTPUT)/tests/test_pycode: $(wildcard tests/unit/fixtures/pycode/*.txt)

$(OUTPUT)/tests/%.so: tests/unit/fixtures/%.c
	$(call msg,FIXTURE,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -shared -fPIC -Wl,--build-id $< -o $@

# Linked at 64 KiB, so that no address in it equals its file offset: a lookup that mixed the
# two up gets the wrong offset.
$(OUTPUT)/tests/%.so: tests/unit/fixtures/%.cpp
	$(call msg,FIXTURE,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) -O1 -g -shared -fPIC -Wl,--build-id -Wl,-Ttext-segment=0x10000 $< -o $@

# A stripped copy whose symbols live in a build-id debug file under a fake root, as
# Debian's -dbg packages lay them out.
$(OUTPUT)/tests/%-stripped.so: $(OUTPUT)/tests/%.so
	$(call msg,FIXTURE,$@)
	$(Q)id=$$(readelf -n $< | sed -n 's/.*Build ID: //p'); \
	dir=$(OUTPUT)/tests/debugroot/usr/lib/debug/.build-id/$${id:0:2}; \
	mkdir -p $$dir && objcopy --only-keep-debug $< $$dir/$${id:2}.debug && \
	strip --strip-all -o $@ $<

# Test tools over the core library (tests/tools/): run by the e2e tests against live targets.
$(OUTPUT)/tools/%: tests/tools/%.c $(CORE_LIB)
	$(call msg,TOOL,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(INCLUDES) $< $(CORE_LIB) $(LIBS) -o $@

# Ground-truth targets: no optimisation that could merge or drop an allocation, and frame
# pointers so that user stacks unwind.
$(OUTPUT)/targets/%: tests/targets/%.c tests/targets/handshake.h
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O0 -g -fno-omit-frame-pointer -Wall -Wextra $< -o $@ -lpthread

# The allocator inside the executable itself, found by name; and once stripped, not at all.
$(OUTPUT)/targets/static_hold: tests/targets/static_hold.c tests/targets/handshake.h
	$(call msg,TARGET,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O0 -g -static -Wall -Wextra $< -o $@

$(OUTPUT)/targets/static_hold_stripped: $(OUTPUT)/targets/static_hold
	$(call msg,STRIP,$@)
	$(Q)strip -o $@ $<

# Stand-ins for the CUDA libraries (tests/targets/fake_cuda/, no GPU needed): the runtime calls
# the driver as the real one does; the caching allocator is built with USDT probes and without.
FAKE_CUDA_FLAGS := -O0 -g -fno-omit-frame-pointer -fPIC -Wall -Wextra -Itests/targets/fake_cuda
FAKE_CUDA_HEADER := tests/targets/fake_cuda/fake_cuda.h

$(FAKE_CUDA)/libcuda.so.1: tests/targets/fake_cuda/libcuda.c $(FAKE_CUDA_HEADER)
	$(call msg,FAKECUDA,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(FAKE_CUDA_FLAGS) -shared -Wl,-soname,libcuda.so.1 $< -o $@ -lpthread

$(FAKE_CUDA)/libcudart.so.12: tests/targets/fake_cuda/libcudart.c $(FAKE_CUDA_HEADER) $(FAKE_CUDA)/libcuda.so.1
	$(call msg,FAKECUDA,$@)
	$(Q)$(CC) $(FAKE_CUDA_FLAGS) -shared -Wl,-soname,libcudart.so.12 $< $(FAKE_CUDA)/libcuda.so.1 \
		-Wl,-rpath,'$$ORIGIN' -o $@

$(FAKE_CUDA)/libc10_cuda.so: tests/targets/fake_cuda/c10_cuda.cpp $(FAKE_CUDA_HEADER) $(FAKE_CUDA)/libcudart.so.12
	$(call msg,FAKECUDA,$@)
	$(Q)$(CXX) $(FAKE_CUDA_FLAGS) -shared $< $(FAKE_CUDA)/libcudart.so.12 -Wl,-rpath,'$$ORIGIN' -o $@

$(FAKE_CUDA)/nosdt/libc10_cuda.so: tests/targets/fake_cuda/c10_cuda.cpp $(FAKE_CUDA_HEADER) $(FAKE_CUDA)/libcudart.so.12
	$(call msg,FAKECUDA,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(FAKE_CUDA_FLAGS) -DFAKE_C10_NO_SDT -shared $< $(FAKE_CUDA)/libcudart.so.12 \
		-Wl,-rpath,'$$ORIGIN/..' -o $@

$(FAKE_CUDA)/gpu_alloc: tests/targets/fake_cuda/gpu_alloc.c tests/targets/handshake.h $(FAKE_CUDA)/libcudart.so.12
	$(call msg,TARGET,$@)
	$(Q)$(CC) $(FAKE_CUDA_FLAGS) $< $(FAKE_CUDA)/libcudart.so.12 $(FAKE_CUDA)/libcuda.so.1 \
		-Wl,-rpath,'$$ORIGIN' -o $@

# Overhead benchmark (not part of `make test`): writes docs/performance.md. REPS=, SCALE=.
BENCH_BINS := $(OUTPUT)/bench/alloc_loop $(OUTPUT)/bench/micro_noop $(OUTPUT)/bench/libc_free_loop
bench: memtrace-bpf $(BENCH_BINS)
	$(Q)tools/bench/install-peers.sh
	$(Q)$(MAKE) --no-print-directory OUTPUT=.output-entry EXTRA_CFLAGS=-DMEMTRACE_PROBE_AT_ENTRY \
		.output-entry/memtrace-bpf
	$(Q)ENTRY_MEMTRACE=$(abspath .output-entry/memtrace-bpf) tools/bench/bench.sh

$(OUTPUT)/bench/libc_free_loop: tools/bench/libc_free_loop.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -Wall -Wextra $< -o $@

$(OUTPUT)/bench/alloc_loop: tools/bench/alloc_loop.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -fno-omit-frame-pointer -Wall -Wextra $< -o $@

# -O0: the no-op functions keep their push %rbp prologue.
$(OUTPUT)/bench/micro_noop: tools/bench/micro_noop.c
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O0 -g -fno-omit-frame-pointer -Wall -Wextra $< -o $@

# --- Sanitizers and fuzzing (make sanitize, make fuzz): separate build trees ------------------
# `make sanitize`: the user space under ASan+UBSan, running the unit and end-to-end tests.
SAN_OUTPUT := .output-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# `make fuzz`: libFuzzer targets (clang) over the parsers, FUZZ_SECONDS each.
FUZZ_OUTPUT := .output-fuzz
FUZZ_SECONDS ?= 10
FUZZERS = $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

sanitize: deps
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(SAN_OUTPUT) EXTRA_CFLAGS="$(SAN_FLAGS)" \
		$(SAN_OUTPUT)/memtrace-bpf test-bins
	$(Q)MEMTRACE=$(abspath $(SAN_OUTPUT))/memtrace-bpf \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run-tests.sh $(SAN_OUTPUT)

test-bins: $(UNIT_TESTS) $(FIXTURES) $(TARGETS)

$(OUTPUT)/memtrace-bpf: $(LOADER_OBJS) $(CORE_LIB)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

fuzz: deps
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(FUZZ_OUTPUT) CC=clang \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" fuzzers $(FUZZ_OUTPUT)/tests/libfixture.so
	$(Q)tests/fuzz/run.sh $(FUZZ_OUTPUT) $(FUZZ_SECONDS)

fuzzers: $(FUZZERS)

$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(CORE_LIB)
	$(call msg,FUZZER,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer $(INCLUDES) $< $(CORE_LIB) $(LIBS) -o $@

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) $(SAN_OUTPUT) $(FUZZ_OUTPUT) .output-entry memtrace-bpf

-include $(shell find $(OUTPUT) -name '*.d' 2>/dev/null)
