# The two commands a newcomer needs: `make demo` and `make test`.
# Each installs missing Debian packages, builds, and runs.
BUILD   ?= build
ASAN    ?= build-asan
JOBS    ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test asan fuzz clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@./$(BUILD)/capio demo

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DCAPIO_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (clang); FUZZ_SECONDS per target. A target's seeds,
# if any, are in fuzz/corpus/NAME (read only: new inputs go to a temp dir).
FUZZ_SECONDS ?= 60
fuzz: deps
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCAPIO_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@for f in build-fuzz/fuzz_*; do \
	  n=$$(basename $$f); seeds=; [ -d fuzz/corpus/$$n ] && seeds=fuzz/corpus/$$n; \
	  out=$$(mktemp -d); echo "== $$f ($(FUZZ_SECONDS)s)"; \
	  $$f $$out $$seeds -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || { rm -rf $$out; exit 1; }; \
	  rm -rf $$out; \
	done

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz
