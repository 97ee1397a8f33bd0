// Compression libraries used for Kafka record batches (Debian: zlib1g-dev, libsnappy-dev,
// liblz4-dev, libzstd-dev).
#include <zlib.h>
#include <snappy-c.h>
#include <lz4frame.h>
#include <zstd.h>
