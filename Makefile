# The project's commands. `make test` is the contract CI runs (through .ci/run).
SWIFT ?= swift
SPECS ?= ../shared/kafka-message-specs

.PHONY: all build test deps generate fixtures clean run

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

# The whole pipeline on this machine: broker, topics, the four services, the sample repository
# (or REPO=/some/dir) through to the graph, a summary, then everything stopped.
run:
	python3 scripts/run_pipeline.py

clean:
	rm -rf .build
