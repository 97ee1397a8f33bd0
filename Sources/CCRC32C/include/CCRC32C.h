#ifndef BROOK_CCRC32C_H
#define BROOK_CCRC32C_H
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli) of `length` bytes, continuing from `crc` (pass 0 to start).
/// Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise.
uint32_t brook_crc32c(uint32_t crc, const void *bytes, size_t length);

#endif
