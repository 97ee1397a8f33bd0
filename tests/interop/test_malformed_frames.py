"""Bad bytes on one socket must cost only that socket.

While a confluent-kafka producer keeps producing on its own connection, other sockets send junk
frames, a truncated header, an absurd body, and length prefixes that are negative, past
socket.request.max.bytes or near 2 GiB. Each bad socket must be closed by the broker, the producer
must see no error and lose no record, and a well-behaved raw connection opened before the junk
must still be answered after it.
"""

import random
import socket
import struct
import threading
import time

import pytest

from interop_support import consume_partitions, create_topic, producer, unique_topic
from raw_protocol import api_versions_round_trip, connect, encode_string, request_frame

CLOSE_TIMEOUT_SECONDS = 5.0
SOCKET_REQUEST_MAX_BYTES = 104_857_600
PRODUCE_INTERVAL_SECONDS = 0.003
UNKNOWN_API_KEY = 0x7F7F
METADATA_API_KEY = 3


def junk_frame():
    generator = random.Random(20261124)
    body = bytearray(generator.randbytes(2000))
    body[0:2] = struct.pack(">h", UNKNOWN_API_KEY)  # no such API: nothing to answer
    return struct.pack(">i", len(body)) + bytes(body)


def metadata_claiming_too_many_topics():
    # Metadata v1 whose topic array claims 2^31 - 16 entries in a 40-byte body.
    body = struct.pack(">i", 0x7FFFFFF0) + encode_string("t") * 10
    return request_frame(METADATA_API_KEY, 1, 3, body)


BAD_FRAMES = {
    "random bytes, unknown API key": junk_frame(),
    "truncated request header": struct.pack(">i", 3) + b"\x00\x03\x00",
    "array count past the frame": metadata_claiming_too_many_topics(),
    "negative length prefix": struct.pack(">i", -16) + b"\x00" * 64,
    "length one past socket.request.max.bytes": struct.pack(">i", SOCKET_REQUEST_MAX_BYTES + 1) + b"\x00" * 64,
    "length prefix near 2 GiB": struct.pack(">I", 0x7FFFFFFF) + b"\xff" * 64,
}


def closed_by_peer(connection, timeout=CLOSE_TIMEOUT_SECONDS):
    """True when the broker closes (or resets) the connection within `timeout`; bytes it sends
    first are read and dropped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            if not connection.recv(65536):
                return True
        except ConnectionResetError:
            return True
        except (socket.timeout, TimeoutError):
            return False
    return False


class BackgroundProducer:
    """A confluent-kafka producer sending one record every few milliseconds on its own thread."""

    def __init__(self, bootstrap, topic):
        self.client = producer(bootstrap, linger_ms=0, acks="all")
        self.topic = topic
        self.sent = 0
        self.delivered = []
        self.errors = []
        self.stop_requested = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def on_delivery(self, error, message):
        if error is None:
            self.delivered.append(message.value())
        else:
            self.errors.append(error)

    def run(self):
        while not self.stop_requested.is_set():
            self.client.produce(self.topic, value=f"steady-{self.sent}".encode(), on_delivery=self.on_delivery)
            self.sent += 1
            self.client.poll(PRODUCE_INTERVAL_SECONDS)

    def delivered_count_after(self, seconds):
        before = len(self.delivered)
        time.sleep(seconds)
        return len(self.delivered) - before

    def finish(self):
        self.stop_requested.set()
        self.thread.join(timeout=10)
        return self.client.flush(20)


def test_bad_sockets_do_not_disturb_other_clients(bootstrap):
    topic = unique_topic("steady")
    create_topic(bootstrap, topic, partitions=1)
    background = BackgroundProducer(bootstrap, topic)
    background.thread.start()
    good_connection = connect(bootstrap)
    # A frame whose header arrives and whose body never does: a broker that read it blocking
    # would stall everyone else.
    stalled_connection = connect(bootstrap)
    stalled_connection.sendall(struct.pack(">i", 200) + b"\x00\x12\x00\x00")
    try:
        assert api_versions_round_trip(good_connection, correlation_id=1)[0] == 0
        assert background.delivered_count_after(0.5) > 0, "background producer delivered nothing"

        for name, frame in BAD_FRAMES.items():
            with connect(bootstrap) as bad_connection:
                try:
                    bad_connection.sendall(frame)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # closed before we finished writing
                # Whether each socket is closed is test_bad_frame_closes_only_its_socket's
                # question; here the wait just gives the broker time to deal with it.
                closed_by_peer(bad_connection, timeout=1.0)
            assert background.delivered_count_after(0.1) > 0, f"producer stalled after {name!r}"

        error_code, versions = api_versions_round_trip(good_connection, correlation_id=2)
        assert error_code == 0 and 0 in versions
        with connect(bootstrap) as fresh_connection:
            assert api_versions_round_trip(fresh_connection, correlation_id=3)[0] == 0
    finally:
        remaining = background.finish()
        good_connection.close()
        stalled_connection.close()

    assert remaining == 0, f"{remaining} records undelivered"
    assert not background.errors, f"background producer saw errors: {background.errors[:5]}"
    assert len(background.delivered) == background.sent
    read = consume_partitions(bootstrap, topic, {0: 0})[0]
    assert [m.value() for m in read] == background.delivered


@pytest.mark.parametrize("name", list(BAD_FRAMES))
def test_bad_frame_closes_only_its_socket(bootstrap, name):
    with connect(bootstrap) as good_connection, connect(bootstrap) as bad_connection:
        try:
            bad_connection.sendall(BAD_FRAMES[name])
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert closed_by_peer(bad_connection), f"{name}: bad socket still open after {CLOSE_TIMEOUT_SECONDS} s"
        assert api_versions_round_trip(good_connection)[0] == 0
