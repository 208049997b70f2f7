# Bulwark: the developer entry points. Every target installs what it needs first.
BUILD      ?= build
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G "Unix Makefiles"

.PHONY: all build run test test-quick bench fuzz deps clean lint format

all: build

deps:
	@scripts/install-deps.sh build

build: deps
	@cmake -S . -B $(BUILD)/release $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)/release -j $(JOBS)

# Builds a sample image (real Debian packages), shows its SBOM and vulnerabilities, then runs the
# registry on 127.0.0.1:5000 (data under ./var), pushes the sample image into it and stays in the
# foreground. The advisory DB is filled when empty: `bulwark db update`, else ../shared/data/osv.
run: build
	@scripts/install-deps.sh test
	@scripts/sample-image.sh $(BUILD)/sample
	$(BUILD)/release/bulwark sbom oci:$(BUILD)/sample/oci:latest --format table
	@scripts/run-registry.sh $(BUILD)/release/bulwark $(BUILD)/sample/oci var/db.sqlite var --db-only
	@if $(BUILD)/release/bulwark db info --db var/db.sqlite >/dev/null 2>&1; then \
	  $(BUILD)/release/bulwark scan oci:$(BUILD)/sample/oci:latest --db var/db.sqlite --format table; \
	fi
	@scripts/run-registry.sh $(BUILD)/release/bulwark $(BUILD)/sample/oci var/db.sqlite var

# The whole suite (unit, fuzz-replay, e2e) under ASan+UBSan.
test:
	@scripts/install-deps.sh test
	@cmake -S . -B $(BUILD)/asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DBW_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)/asan -j $(JOBS)
	@scripts/lint.sh
	cd $(BUILD)/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

test-quick:
	$(MAKE) test CTEST_ARGS="-LE slow"

bench: build
	@scripts/install-deps.sh all
	bench/run.sh $(BUILD)/release/bulwark
	bench/vulndb.sh $(BUILD)/release/bulwark
	bench/registry.sh $(BUILD)/release/bulwark
	bench/malware.sh $(BUILD)/release/bulwark
	bench/baseline.sh $(BUILD)/release/bulwark

fuzz:
	@scripts/install-deps.sh build
	@CC=clang cmake -S . -B $(BUILD)/fuzz $(CMAKE_GEN) -DBW_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)/fuzz -j $(JOBS)
	scripts/fuzz.sh $(BUILD)/fuzz $(FUZZ_SECONDS)

lint:
	@scripts/lint.sh

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h')

clean:
	rm -rf $(BUILD)
