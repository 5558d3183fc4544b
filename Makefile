# The project's commands. `make test` is the contract CI runs (through .ci/run).
SWIFT ?= swift
SPECS ?= ../shared/kafka-message-specs

.PHONY: all build test deps generate fixtures clean run fuzz fuzz-build fuzz-smoke bench bench-peer

all: build

deps:
	bash scripts/install-deps.sh

build:
	$(SWIFT) build

# Unit, codegen drift, codec and fixture tests, the client and services against real peers on
# loopback, then a short libFuzzer run over the decoders. No timing asserts.
test: build
	KAFKA_SPECS_DIR=$(SPECS) $(SWIFT) test
	$(MAKE) fuzz-smoke

# Regenerates Sources/KafkaProtocol/Generated from Apache Kafka's JSON message specs.
generate:
	$(SWIFT) run kafka-codegen --specs $(SPECS) --out Sources/KafkaProtocol/Generated

# Re-records every fixture under Fixtures/frames from real peers (Tansu, librdkafka,
# kafka-python, librdkafka's mock cluster) through `kafka-admin record`.
fixtures: deps
	bash scripts/fixtures/record-all.sh

# The whole pipeline on this machine: broker, topics, the four services, the sample repository
# (or REPO=/some/dir) through to the graph, a summary, then everything stopped.
run:
	python3 scripts/run_pipeline.py

# libFuzzer over every decoder of peer bytes (frames, responses, record sets, decompression),
# seeded from Fixtures/. FUZZ_SECONDS bounds the run; findings land in .fuzz/findings (crash-* files),
# replayable with `swift run kafka-fuzz FILE`.
FUZZ_SECONDS ?= 600
FUZZ_CORPUS ?= .fuzz/corpus
fuzz-build:
	$(SWIFT) build -c release --product kafka-fuzz --scratch-path .build-fuzz \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld

fuzz: fuzz-build
	python3 scripts/fuzz/make-corpus.py Fixtures $(FUZZ_CORPUS)
	mkdir -p .fuzz/findings
	.build-fuzz/release/kafka-fuzz $(FUZZ_CORPUS) -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=.fuzz/findings/ \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=20 FUZZ_CORPUS=.fuzz/smoke-corpus

# Producer, consumer and codec speed, ours beside librdkafka, against one local Tansu
# (scripts/bench/run.py; table on stdout and in bench/results.md). Needs the machine to itself.
# BENCH_SCALE=0.01 for a quick run; BENCH_REPS, BENCH_ONLY: see the script.
bench: bench-peer
	$(SWIFT) build -c release --product kafka-bench
	python3 scripts/bench/run.py

# The librdkafka peer: Debian's librdkafka-dev headers, linked by path against the librdkafka
# that pip confluent-kafka bundles (Debian's own 2.0.2 cannot talk to Tansu).
RDKAFKA_LIBDIR = $(shell python3 -c "import confluent_kafka, os; print(os.path.join(os.path.dirname(os.path.dirname(confluent_kafka.__file__)), 'confluent_kafka.libs'))" 2>/dev/null)
bench-peer: .build/bench/rdkafka_bench
.build/bench/rdkafka_bench: Benchmarks/rdkafka_bench.c
	@test -f /usr/include/librdkafka/rdkafka.h || { echo "librdkafka-dev headers missing: run make deps"; exit 1; }
	@test -n "$(RDKAFKA_LIBDIR)" || { echo "pip confluent-kafka missing: run make deps"; exit 1; }
	mkdir -p .build/bench
	$(CC) -O2 -Wall -Wextra -o $@ $< $(wildcard $(RDKAFKA_LIBDIR)/librdkafka-*.so.1) -Wl,-rpath,$(RDKAFKA_LIBDIR)

clean:
	rm -rf .build .build-fuzz .fuzz
