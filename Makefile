# Quick start: `make run` serves on the embedded default (:8080, data in ./data);
# `make test` runs every test. Both install missing Debian packages first.
BUILD_DIR ?= build/release
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)

.PHONY: all deps build run test unit-test integration-test bench format clean

all: build

deps:
	@scripts/deps.sh build

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@ninja -C $(BUILD_DIR) -j$(JOBS)

run: build
	exec $(BUILD_DIR)/sluice serve

test:
	@scripts/deps.sh test
	@scripts/test-deps.sh
	@$(MAKE) --no-print-directory build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS) --timeout 300

unit-test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L unit -j$(JOBS)

integration-test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L integration -j$(JOBS)

bench: build
	@scripts/deps.sh bench
	bench/http_baseline.sh

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf build
