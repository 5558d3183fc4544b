# syntax=docker/dockerfile:1
# One image build for every pipeline service: a Swift build stage, then one small runtime stage
# per executable (select with `target:` in compose.yaml). Binaries link the Swift runtime
# statically, so the runtime image needs only the C libraries the code links: compression
# (KafkaCompression), OpenSSL (TLS, SCRAM), SQLite (the writer's store) and libcurl (FoundationNetworking,
# the Dgraph store).
# The ingestion, miner, analyzer and graph-writer executables are Package.swift products
# (targets IngestionMain, MinerMain, AnalyzerMain, GraphWriterMain).

ARG SWIFT_VERSION=6.1
ARG UBUNTU_VERSION=jammy

FROM swift:${SWIFT_VERSION}-${UBUNTU_VERSION} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libssl-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# The BuildKit cache keeps fetched dependencies and object files between builds.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --static-swift-stdlib \
 && bin="$(swift build -c release --show-bin-path)" \
 && mkdir -p /out \
 && for exe in ingestion miner analyzer graph-writer kafka-admin; do cp "$bin/$exe" /out/; done

FROM ubuntu:${UBUNTU_VERSION} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g libsnappy1v5 liblz4-1 libzstd1 libssl3 libsqlite3-0 libcurl4 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin pipeline
USER 10001:10001
# Services log to stdout; nothing is written inside the image.
ENV LOG_LEVEL=info

# Each service answers `--health` by probing its own /health endpoint (HTTP_PORT), so the
# image needs no curl.
FROM runtime AS ingestion
COPY --from=build /out/ingestion /usr/local/bin/ingestion
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["ingestion", "--health"]
ENTRYPOINT ["ingestion"]

FROM runtime AS miner
COPY --from=build /out/miner /usr/local/bin/miner
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["miner", "--health"]
ENTRYPOINT ["miner"]

FROM runtime AS analyzer
COPY --from=build /out/analyzer /usr/local/bin/analyzer
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["analyzer", "--health"]
ENTRYPOINT ["analyzer"]

FROM runtime AS graph-writer
COPY --from=build /out/graph-writer /usr/local/bin/graph-writer
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["graph-writer", "--health"]
ENTRYPOINT ["graph-writer"]

# Admin tool image, used by the one-shot topics-init service.
FROM runtime AS kafka-admin
COPY --from=build /out/kafka-admin /usr/local/bin/kafka-admin
ENTRYPOINT ["kafka-admin"]
