#!/usr/bin/env python3
"""Produces keys key-0..key-(N-1) with librdkafka, partitioner=murmur2_random, and prints
{"key": partition, ...} as one JSON object from the delivery reports.

usage: rdkafka_partitions.py BROKERS TOPIC N
"""
import json, sys

try:
    from confluent_kafka import Producer
except ImportError as e:
    sys.stderr.write(f"confluent-kafka is missing: {e} (pip install confluent-kafka)\n")
    sys.exit(1)

brokers, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({"bootstrap.servers": brokers, "partitioner": "murmur2_random", "linger.ms": 5})
result, errors = {}, []


def report(err, msg):
    if err:
        errors.append(str(err))
    else:
        result[msg.key().decode()] = msg.partition()


for i in range(n):
    while True:
        try:
            p.produce(topic, key=f"key-{i}".encode(), value=b"v", on_delivery=report)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
p.flush(30)
if errors:
    sys.stderr.write(f"delivery errors: {errors[:5]}\n")
    sys.exit(1)
print(json.dumps(result))
