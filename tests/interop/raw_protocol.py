"""A minimal Kafka wire client for what third-party clients hide: sending bytes that no client
would send (malformed frames), and reading the record-batch headers a broker serves (producer id,
sequence, compression attributes, CRC-32C) with a plain Fetch v4.

Written from the protocol's field lists (../shared/kafka-protocol/messages/FetchRequest.json,
FetchResponse.json, ApiVersions) and the v2 record-batch layout; nothing here depends on Brook.
"""

import socket
import struct
from dataclasses import dataclass

from kafka.record._crc32c import crc as crc32c

SOCKET_TIMEOUT_SECONDS = 10.0
FETCH_API_KEY = 1
FETCH_VERSION = 4
API_VERSIONS_API_KEY = 18
BATCH_HEADER_BYTES = 61
MAXIMUM_RESPONSE_BYTES = 64 * 1024 * 1024


def connect(bootstrap):
    host, port = bootstrap.rsplit(":", 1)
    connection = socket.create_connection((host, int(port)), timeout=SOCKET_TIMEOUT_SECONDS)
    connection.settimeout(SOCKET_TIMEOUT_SECONDS)
    return connection


def encode_string(text):
    if text is None:
        return struct.pack(">h", -1)
    data = text.encode()
    return struct.pack(">h", len(data)) + data


def request_frame(api_key, api_version, correlation_id, body, client_id="brook-interop-raw"):
    """A request with header v1 (the non-flexible header: key, version, correlation id, client id)."""
    payload = struct.pack(">hhi", api_key, api_version, correlation_id) + encode_string(client_id) + body
    return struct.pack(">i", len(payload)) + payload


def receive_exactly(connection, count):
    chunks = []
    remaining = count
    while remaining:
        chunk = connection.recv(min(remaining, 1 << 20))
        if not chunk:
            raise ConnectionError(f"connection closed with {remaining} of {count} bytes unread")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def receive_response(connection):
    (length,) = struct.unpack(">i", receive_exactly(connection, 4))
    if not 4 <= length <= MAXIMUM_RESPONSE_BYTES:
        raise ValueError(f"response length {length} out of range")
    return receive_exactly(connection, length)


def api_versions_round_trip(connection, correlation_id=7):
    """Sends ApiVersions v0 and returns (error_code, {api_key: (min, max)})."""
    connection.sendall(request_frame(API_VERSIONS_API_KEY, 0, correlation_id, b""))
    response = receive_response(connection)
    received_correlation, error_code, count = struct.unpack_from(">ihi", response, 0)
    assert received_correlation == correlation_id
    versions = {}
    position = 10
    for _ in range(count):
        key, minimum, maximum = struct.unpack_from(">hhh", response, position)
        versions[key] = (minimum, maximum)
        position += 6
    return error_code, versions


@dataclass
class BatchHeader:
    base_offset: int
    batch_length: int
    magic: int
    crc: int
    crc_matches: bool
    attributes: int
    last_offset_delta: int
    producer_id: int
    producer_epoch: int
    base_sequence: int
    record_count: int

    @property
    def compression(self):
        return ["none", "gzip", "snappy", "lz4", "zstd"][self.attributes & 0x07] if self.attributes & 0x07 < 5 else "?"


def parse_batches(records):
    """Splits a Fetch `records` field into batch headers; a trailing partial batch is ignored, as
    Kafka allows a fetch to end inside one."""
    batches = []
    position = 0
    while position + 12 <= len(records):
        base_offset, batch_length = struct.unpack_from(">qi", records, position)
        end = position + 12 + batch_length
        if end > len(records):
            break
        (leader_epoch, magic, crc, attributes, last_offset_delta, _first_timestamp, _max_timestamp,
         producer_id, producer_epoch, base_sequence, record_count) = struct.unpack_from(
            ">ibIhiqqqhii", records, position + 12)
        crc_matches = crc32c(records[position + 21:end]) == crc
        batches.append(BatchHeader(base_offset, batch_length, magic, crc, crc_matches, attributes,
                                   last_offset_delta, producer_id, producer_epoch, base_sequence, record_count))
        position = end
    return batches


def fetch_batches(bootstrap, topic, partition, offset=0, max_bytes=16 * 1024 * 1024):
    """Fetch v4 of one partition from `offset`; returns (error_code, high_watermark, [BatchHeader])."""
    partitions = struct.pack(">i", 1) + struct.pack(">iqi", partition, offset, max_bytes)
    topics = struct.pack(">i", 1) + encode_string(topic) + partitions
    # max_wait 500 ms with min_bytes 1: answered at once when data is there (Tansu answers a
    # zero wait with no topics at all).
    body = struct.pack(">iiiib", -1, 500, 1, max_bytes, 0) + topics
    with connect(bootstrap) as connection:
        connection.sendall(request_frame(FETCH_API_KEY, FETCH_VERSION, 11, body))
        response = receive_response(connection)
    position = 0
    correlation_id, _throttle, topic_count = struct.unpack_from(">iii", response, position)
    assert correlation_id == 11 and topic_count == 1, (correlation_id, topic_count)
    position += 12
    (name_length,) = struct.unpack_from(">h", response, position)
    position += 2 + name_length
    (partition_count,) = struct.unpack_from(">i", response, position)
    assert partition_count == 1
    position += 4
    _index, error_code, high_watermark, _last_stable, aborted_count = struct.unpack_from(">ihqqi", response, position)
    position += 4 + 2 + 8 + 8 + 4
    if aborted_count > 0:
        position += aborted_count * 16
    (records_length,) = struct.unpack_from(">i", response, position)
    position += 4
    records = response[position:position + max(records_length, 0)]
    return error_code, high_watermark, parse_batches(records)
