# The project's commands. `make test` is the contract CI runs (through .ci/run).
SWIFT ?= swift
SPECS ?= ../shared/kafka-message-specs

.PHONY: all build test deps generate fixtures clean bench bench-peer

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
	rm -rf .build
