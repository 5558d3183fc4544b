# The project's commands. `make test` is the contract CI runs (through .ci/run).
SWIFT ?= swift
SPECS ?= ../shared/kafka-message-specs

.PHONY: all build test deps generate fixtures clean fuzz fuzz-build fuzz-smoke

all: build

deps:
	bash scripts/install-deps.sh

build:
	$(SWIFT) build

# Unit, codegen drift, codec and fixture tests. No network beyond loopback, no timing asserts.
test: build
	KAFKA_SPECS_DIR=$(SPECS) $(SWIFT) test

# Regenerates Sources/KafkaProtocol/Generated from Apache Kafka's JSON message specs.
generate:
	$(SWIFT) run kafka-codegen --specs $(SPECS) --out Sources/KafkaProtocol/Generated

# Re-records every fixture under Fixtures/frames from real peers (Tansu, librdkafka,
# kafka-python, librdkafka's mock cluster) through `kafka-admin record`.
fixtures: deps
	bash scripts/fixtures/record-all.sh

# libFuzzer over every decoder of peer bytes (frames, responses, record sets, decompression),
# seeded from Fixtures/. FUZZ_SECONDS bounds the run; findings land in .fuzz/ (crash-* files),
# replayable with `swift run kafka-fuzz FILE`.
FUZZ_SECONDS ?= 600
fuzz-build:
	$(SWIFT) build -c release --product kafka-fuzz --scratch-path .build-fuzz \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING

fuzz: fuzz-build
	python3 scripts/fuzz/make-corpus.py Fixtures .fuzz/corpus
	cd .fuzz && ../.build-fuzz/release/kafka-fuzz corpus -max_total_time=$(FUZZ_SECONDS) \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=20

clean:
	rm -rf .build .build-fuzz .fuzz
