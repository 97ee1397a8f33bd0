# Brook: the two commands of the README.
#   make serve   install what is missing, build (release) and run broker on the embedded default
#   make test    install what is missing, build, run the Swift tests and the interop tests
.PHONY: deps build release serve test unit-test interop-test bench clean

SWIFT ?= swift

deps:
	./scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product brook

serve: release
	.build/release/brook serve

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	./scripts/interop-test.sh
	./scripts/peer-broker-test.sh

bench: release
	./bench/run-broker-bench.sh

clean:
	rm -rf .build data
