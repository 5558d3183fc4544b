#pragma once
#include <stddef.h>
#include <stdint.h>

/// CRC32C (Castagnoli), as Kafka's v2 record batches use. `crc` is a previous result to
/// continue from (0 to start); the result is final (already inverted).
/// Uses SSE4.2 when the CPU has it (3-way interleaved), else slicing-by-8 tables.
uint32_t kafka_crc32c(uint32_t crc, const void *buf, size_t len);

/// The table-driven path alone (tests compare both paths).
uint32_t kafka_crc32c_software(uint32_t crc, const void *buf, size_t len);

/// 1 when the hardware path is in use.
int kafka_crc32c_hardware_available(void);
