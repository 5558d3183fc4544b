#!/usr/bin/env python3
"""Joins GROUP with librdkafka, consumes COUNT records of TOPIC from the beginning, commits
them synchronously and leaves. Prints the committed offsets as JSON {"partition": offset}.
Usage: group_commit.py BROKERS TOPIC GROUP COUNT"""
import json
import sys
import time

from confluent_kafka import Consumer, TopicPartition


def main() -> None:
    brokers, topic, group, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    consumer = Consumer({
        "bootstrap.servers": brokers, "group.id": group, "auto.offset.reset": "earliest",
        "enable.auto.commit": False, "session.timeout.ms": 2000, "heartbeat.interval.ms": 500,
        "fetch.queue.backoff.ms": 10,
    })
    consumer.subscribe([topic])
    seen = 0
    deadline = time.time() + 30
    last = {}
    while seen < count and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        seen += 1
        last[msg.partition()] = msg.offset() + 1
    if seen < count:
        sys.exit(f"consumed {seen} of {count} records in 30 s")
    consumer.commit(offsets=[TopicPartition(topic, p, o) for p, o in last.items()], asynchronous=False)
    consumer.close()
    print(json.dumps({str(p): o for p, o in last.items()}))


if __name__ == "__main__":
    main()
