#!/usr/bin/env python3
"""Reads N records from one partition from the beginning with librdkafka (confluent_kafka)
or kafka-python, and prints them as JSON lines: partition, offset, timestamp, key/value (hex,
null as None), headers [[key, hex-or-None]]. Exit 1 with a message if the client is missing.

usage: consume_records.py rdkafka|kafkapython BROKERS TOPIC PARTITION COUNT
"""
import json, sys, time


def hx(b):
    return None if b is None else bytes(b).hex()


def out(partition, offset, timestamp, key, value, headers):
    print(json.dumps({"partition": partition, "offset": offset, "timestamp": timestamp, "key": hx(key),
                      "value": hx(value), "headers": [[k, hx(v)] for k, v in (headers or [])]}))


def rdkafka(brokers, topic, partition, count):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": brokers, "group.id": "interop-unused", "enable.auto.commit": False,
                  "fetch.queue.backoff.ms": 10, "api.version.request": True})
    c.assign([TopicPartition(topic, partition, 0)])
    got, deadline = 0, time.time() + 30
    while got < count and time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            raise SystemExit(f"librdkafka error: {m.error()}")
        out(m.partition(), m.offset(), m.timestamp()[1], m.key(), m.value(), m.headers())
        got += 1
    c.close()


def kafkapython(brokers, topic, partition, count):
    from kafka import KafkaConsumer, TopicPartition
    c = KafkaConsumer(bootstrap_servers=brokers, enable_auto_commit=False, group_id=None,
                      auto_offset_reset="earliest", consumer_timeout_ms=30000)
    tp = TopicPartition(topic, partition)
    c.assign([tp])
    c.seek(tp, 0)
    got = 0
    for m in c:
        out(m.partition, m.offset, m.timestamp, m.key, m.value, m.headers)
        got += 1
        if got >= count:
            break
    c.close()


if __name__ == "__main__":
    which, brokers, topic, partition, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    try:
        {"rdkafka": rdkafka, "kafkapython": kafkapython}[which](brokers, topic, partition, count)
    except ImportError as e:
        sys.stderr.write(f"python client for {which} is missing: {e} (pip install confluent-kafka kafka-python "
                         "python-snappy lz4 zstandard)\n")
        sys.exit(1)
