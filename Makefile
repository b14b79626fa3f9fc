# The two commands a newcomer needs are `sh make.sh demo` and
# `sh make.sh test` (make.sh installs make itself first); on a machine
# with make, `make demo` and `make test` do the same. Each installs the
# Debian packages its job needs (scripts/deps.sh), builds, and runs.
BUILD   ?= build
ASAN    ?= build-asan
JOBS    ?= $(shell nproc)
PREFIX  ?= /usr/local
CMAKE_FLAGS ?=
# CMake's own make runs below ours: no "Entering directory" lines.
MAKEFLAGS += --no-print-directory

.PHONY: all deps deps-test build demo test asan fuzz install uninstall clean

all: build

deps:
	@sh scripts/deps.sh demo

deps-test:
	@sh scripts/deps.sh test

$(BUILD)/CMakeCache.txt:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@./$(BUILD)/capio demo

# Every test (CTest), then one line: N passed, N failed, N skipped, with
# the reason each skipped test gave.
test: deps-test build
	@sh scripts/ctest.sh $(BUILD) $(JOBS)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer, leak
# detection on.
asan: deps-test
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DCAPIO_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  sh scripts/ctest.sh $(ASAN) $(JOBS)

# libFuzzer targets (clang); FUZZ_SECONDS per target. A target's seeds,
# if any, are in fuzz/corpus/NAME (read only: new inputs go to a temp dir).
FUZZ_SECONDS ?= 60
fuzz:
	@sh scripts/deps.sh fuzz
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCAPIO_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@for f in build-fuzz/fuzz_*; do \
	  n=$$(basename $$f); seeds=; [ -d fuzz/corpus/$$n ] && seeds=fuzz/corpus/$$n; \
	  out=$$(mktemp -d); echo "== $$f ($(FUZZ_SECONDS)s)"; \
	  $$f $$out $$seeds -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || { rm -rf $$out; exit 1; }; \
	  rm -rf $$out; \
	done

# `capio` into $(PREFIX)/bin (default /usr/local/bin), so that the bare
# `capio ...` examples of the README and --help run as written.
install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

uninstall:
	rm -f $(PREFIX)/bin/capio

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz
