#!/usr/bin/env python3
"""Writes BATCHES separate batches of PER_BATCH records to partition 0 of TOPIC with
librdkafka (confluent-kafka), flushing after each batch so each is its own record batch.
Usage: admin_seed.py BROKERS TOPIC BATCHES PER_BATCH"""
import sys

from confluent_kafka import Producer


def main() -> None:
    brokers, topic, batches, per_batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 50, "acks": "all"})
    errors = []

    def report(err, _msg):
        if err is not None:
            errors.append(str(err))

    for b in range(batches):
        for i in range(per_batch):
            producer.produce(topic, key=f"k{b}-{i}", value=f"v{b}-{i}", partition=0, on_delivery=report)
        if producer.flush(15) != 0:
            sys.exit("flush timed out")
    if errors:
        sys.exit("delivery failed: " + "; ".join(errors))


if __name__ == "__main__":
    main()
