# Quick start: `make run` serves on the embedded default (:8080, data in ./data);
# `make test` runs every test. Both install missing Debian packages first.
BUILD_DIR ?= build/release
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
# `make fuzz`: clang + libFuzzer in a build of its own; each target runs FUZZ_SECONDS.
FUZZ_DIR ?= build/fuzz
FUZZ_SECONDS ?= 60
# `make sanitize`: unit, integration and corpus-replay tests under ASan + UBSan (g++), at -O1 to
# keep them fast; NDEBUG as in production. Unit tests run as sharded processes of the whole binary
# (an instrumented process per test costs more to start than the test). The fuzz build keeps assertions on.
SANITIZE_DIR ?= build/sanitize
SANITIZE_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# `make image`: the container image of the Dockerfile, built with buildah (Docker format, which
# keeps HEALTHCHECK). The local ccache is mounted into the build when there is one.
IMAGE ?= sluice:latest
CCACHE_HOST_DIR = $(shell ccache -k cache_dir 2>/dev/null)
# ccache hashes these: the build stage gets the values set here, so that its keys are the host's.
CCACHE_LOCALE_VARS = LANG LC_ALL LC_CTYPE LC_MESSAGES

.PHONY: all deps build run test unit-test integration-test image image-test fuzz sanitize bench format \
  clean

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
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS) --timeout 300 -LE image

unit-test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L unit -j$(JOBS)

integration-test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L integration -j$(JOBS)

image:
	@scripts/deps.sh image
	buildah bud --isolation chroot --format docker --file Dockerfile --tag $(IMAGE) \
	  --build-arg SLUICE_REVISION=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown) \
	  $(if $(wildcard $(CCACHE_HOST_DIR)),--volume $(CCACHE_HOST_DIR):/root/.cache/ccache) \
	  $(foreach v,$(CCACHE_LOCALE_VARS),$(if $(filter environment%,$(origin $(v))),--build-arg $(v)=$($(v)))) .

# The image built from scratch (its Debian base from debootstrap) and run as a runtime would; after
# `make test`, whose compiled objects the image build takes from ccache.
image-test:
	@scripts/deps.sh image
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@ctest --test-dir $(BUILD_DIR) --verbose -L image

fuzz:
	@scripts/deps.sh fuzz
	@cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DSLUICE_FUZZ=ON \
	  >/dev/null
	@ninja -C $(FUZZ_DIR) -j$(JOBS) fuzz_targets
	@tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

sanitize:
	@scripts/deps.sh test
	@cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" -DCMAKE_CXX_FLAGS="$(SANITIZE_FLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
	@ninja -C $(SANITIZE_DIR) -j$(JOBS)
	@timeout 1200 tests/run-gtest-shards.sh $(SANITIZE_DIR)/tests/sluice_unit_tests $(JOBS)
	@ctest --test-dir $(SANITIZE_DIR) --output-on-failure -L 'integration|fuzz' -j$(JOBS) \
	  --timeout 300

bench: build
	@scripts/deps.sh bench
	bench/http_baseline.sh

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf build
