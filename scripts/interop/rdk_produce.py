"""Produce deterministic records with librdkafka (confluent-kafka) for the consumer's interop tests.

Record i (0-based, per run): key b"k<i>" (None when i % 7 == 3), value b"v<i>-" padded with "x" to
--value-size (None when i % 11 == 5 and --tombstones), headers [("h", b"<i>"), ("n", None)] when
--headers. With --timestamp-base T the record's timestamp is T + i. --batch N flushes every N
records so each flush becomes its own batch. Prints "produced <count>" on success.
"""
import argparse
import sys

try:
    from confluent_kafka import Producer
except ImportError as error:  # the Swift test reports this text
    print(f"confluent-kafka is not installed for {sys.executable}: {error}", file=sys.stderr)
    sys.exit(3)

p = argparse.ArgumentParser()
p.add_argument("--bootstrap", required=True)
p.add_argument("--topic", required=True)
p.add_argument("--codec", default="none")
p.add_argument("--count", type=int, default=10)
p.add_argument("--start", type=int, default=0, help="index of the first record")
p.add_argument("--partition", type=int, default=-1, help="-1: by key (murmur2, as Java)")
p.add_argument("--value-size", type=int, default=0)
p.add_argument("--headers", action="store_true")
p.add_argument("--tombstones", action="store_true")
p.add_argument("--timestamp-base", type=int, default=0)
p.add_argument("--batch", type=int, default=0)
a = p.parse_args()

producer = Producer({
    "bootstrap.servers": a.bootstrap,
    "broker.address.family": "v4",
    "compression.type": a.codec,
    "partitioner": "murmur2_random",
    "acks": "all",
    "linger.ms": 20,
    "batch.num.messages": 10000,
    "queue.buffering.max.messages": 1000000,
})
failures = []


def report(err, msg):
    if err is not None:
        failures.append(str(err))


for i in range(a.start, a.start + a.count):
    key = None if i % 7 == 3 else f"k{i}".encode()
    value = None if a.tombstones and i % 11 == 5 else f"v{i}-".encode().ljust(a.value_size, b"x")
    kwargs = {"key": key, "value": value, "on_delivery": report}
    if a.headers:
        kwargs["headers"] = [("h", str(i).encode()), ("n", None)]
    if a.partition >= 0:
        kwargs["partition"] = a.partition
    if a.timestamp_base:
        kwargs["timestamp"] = a.timestamp_base + i
    while True:
        try:
            producer.produce(a.topic, **kwargs)
            break
        except BufferError:
            producer.poll(0.05)
    producer.poll(0)
    if a.batch and (i - a.start + 1) % a.batch == 0:
        producer.flush(30)
left = producer.flush(60)
if left or failures:
    print(f"produce failed: {left} undelivered, errors: {failures[:5]}", file=sys.stderr)
    sys.exit(1)
print(f"produced {a.count}")
