"""Metadata and topic administration as three third-party clients see them: kcat -L (Debian's
librdkafka 2.0.2), confluent-kafka's AdminClient and kafka-python's KafkaAdminClient.

The broker must advertise itself at the address it announced, create topics with the requested
partition count, and answer duplicate and illegal names with Kafka's error codes.
"""

import json
import os

import pytest
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import NewTopic
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient
from kafka import errors as kafka_python_errors

from interop_support import (ADMIN_TIMEOUT_SECONDS, METADATA_TIMEOUT_SECONDS, admin_client, create_topic,
                             unique_topic, wait_for_topic)


def kafka_python_admin(bootstrap):
    return KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000, bootstrap_timeout_ms=10000)


def test_kcat_is_debians_librdkafka(kcat):
    if os.environ.get("BROOK_KCAT_LIBRARY_PATH") or os.environ.get("BROOK_KCAT"):
        pytest.skip("kcat was overridden (BROOK_KCAT / BROOK_KCAT_LIBRARY_PATH)")
    # The acceptance criterion names the oldest client we promise: Debian 12's librdkafka.
    assert kcat.librdkafka_version == "2.0.2", kcat.version_text


def test_kcat_metadata_lists_broker_and_topic(bootstrap, kcat):
    topic = unique_topic("meta-kcat")
    create_topic(bootstrap, topic, partitions=3)
    completed = kcat.run(bootstrap, ["-L", "-J", "-m", "10", "-t", topic], timeout=30)
    metadata = json.loads(completed.stdout)
    assert [broker["name"] for broker in metadata["brokers"]] == [bootstrap]
    topics = {entry["topic"]: entry for entry in metadata["topics"]}
    assert topic in topics, metadata
    assert "error" not in topics[topic], topics[topic]
    partitions = sorted(p["partition"] for p in topics[topic]["partitions"])
    assert partitions == [0, 1, 2]
    broker_id = metadata["brokers"][0]["id"]
    assert all(p["leader"] == broker_id for p in topics[topic]["partitions"])


def test_confluent_list_topics(bootstrap):
    topic = unique_topic("meta-confluent")
    create_topic(bootstrap, topic, partitions=2)
    metadata = admin_client(bootstrap).list_topics(timeout=METADATA_TIMEOUT_SECONDS)
    assert [f"{b.host}:{b.port}" for b in metadata.brokers.values()] == [bootstrap]
    assert topic in metadata.topics
    assert sorted(metadata.topics[topic].partitions) == [0, 1]
    assert metadata.controller_id in metadata.brokers


def test_kafka_python_metadata(bootstrap):
    topic = unique_topic("meta-kpy")
    create_topic(bootstrap, topic, partitions=4)
    admin = kafka_python_admin(bootstrap)
    try:
        cluster = admin.describe_cluster()
        assert [f"{b['host']}:{b['port']}" for b in cluster["brokers"]] == [bootstrap]
        assert topic in admin.list_topics()
    finally:
        admin.close()
    reader = KafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=10000,
                           bootstrap_timeout_ms=10000)
    try:
        assert topic in reader.topics()
        assert reader.partitions_for_topic(topic) == {0, 1, 2, 3}
    finally:
        reader.close()


def test_confluent_create_six_partitions_and_duplicate(bootstrap):
    topic = unique_topic("create-confluent")
    admin = admin_client(bootstrap)
    futures = admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)],
                                  operation_timeout=ADMIN_TIMEOUT_SECONDS)
    futures[topic].result(timeout=ADMIN_TIMEOUT_SECONDS)
    described = wait_for_topic(bootstrap, topic, 6)
    assert sorted(described.partitions) == list(range(6))

    futures = admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)],
                                  operation_timeout=ADMIN_TIMEOUT_SECONDS)
    with pytest.raises(KafkaException) as raised:
        futures[topic].result(timeout=ADMIN_TIMEOUT_SECONDS)
    assert raised.value.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS, raised.value
    # The refused duplicate must not have changed the topic.
    assert len(wait_for_topic(bootstrap, topic, 6).partitions) == 6


def test_confluent_create_invalid_name(bootstrap):
    admin = admin_client(bootstrap)
    for name in ["bad name!", "x" * 250, "..", "slash/topic"]:
        futures = admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)],
                                      operation_timeout=ADMIN_TIMEOUT_SECONDS)
        with pytest.raises(KafkaException) as raised:
            futures[name].result(timeout=ADMIN_TIMEOUT_SECONDS)
        assert raised.value.args[0].code() == KafkaError.TOPIC_EXCEPTION, (name, raised.value)
    listed = admin.list_topics(timeout=METADATA_TIMEOUT_SECONDS).topics
    assert "bad name!" not in listed and ".." not in listed


def test_confluent_create_with_more_replicas_than_brokers(bootstrap):
    topic = unique_topic("create-rf3")
    admin = admin_client(bootstrap)
    futures = admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=3)],
                                  operation_timeout=ADMIN_TIMEOUT_SECONDS)
    with pytest.raises(KafkaException) as raised:
        futures[topic].result(timeout=ADMIN_TIMEOUT_SECONDS)
    assert raised.value.args[0].code() == KafkaError.INVALID_REPLICATION_FACTOR, raised.value


def test_kafka_python_create_six_partitions_and_duplicate(bootstrap):
    topic = unique_topic("create-kpy")
    admin = kafka_python_admin(bootstrap)
    try:
        result = admin.create_topics({topic: {"num_partitions": 6, "replication_factor": 1}})
        assert [t["error_code"] for t in result["topics"]] == [0], result
        assert len(wait_for_topic(bootstrap, topic, 6).partitions) == 6
        with pytest.raises(kafka_python_errors.TopicAlreadyExistsError):
            admin.create_topics({topic: {"num_partitions": 6, "replication_factor": 1}})
        with pytest.raises(kafka_python_errors.InvalidTopicError):
            admin.create_topics({"no spaces allowed": {"num_partitions": 1, "replication_factor": 1}})
    finally:
        admin.close()


def test_confluent_delete_topic(bootstrap):
    topic = unique_topic("delete-confluent")
    create_topic(bootstrap, topic, partitions=2)
    admin = admin_client(bootstrap)
    admin.delete_topics([topic], operation_timeout=ADMIN_TIMEOUT_SECONDS)[topic].result(timeout=ADMIN_TIMEOUT_SECONDS)
    assert topic not in admin.list_topics(timeout=METADATA_TIMEOUT_SECONDS).topics
    futures = admin.delete_topics([topic], operation_timeout=ADMIN_TIMEOUT_SECONDS)
    with pytest.raises(KafkaException) as raised:
        futures[topic].result(timeout=ADMIN_TIMEOUT_SECONDS)
    assert raised.value.args[0].code() == KafkaError.UNKNOWN_TOPIC_OR_PART, raised.value
