#!/usr/bin/env python3
"""`make bench`: our client and librdkafka side by side against one Tansu broker, in one run.

Starts Tansu on a free loopback port, then for every workload (produce, then consume, of
1,000,000 x 100 B and 200,000 x 1 KiB records, compression none and lz4, acks=all, 3
partitions) runs both clients as separate processes, alternating which goes first: one warm-up
then BENCH_REPS measured repetitions. Each produce run gets a fresh topic; both consumers read the
topic librdkafka produced in the same repetition. Wall time comes from each process (first send
to last acknowledgement, assignment to last record); CPU seconds (user+sys) and peak RSS come
from getrusage of the child process (os.wait4). Prints one markdown table and writes it to
bench/results.md.

Environment: BENCH_SCALE (record counts x this, default 1), BENCH_REPS (default 3),
BENCH_WARMUP (default 1), BENCH_CODEC_SECONDS (per codec measurement, default 0.5),
BENCH_ONLY (comma-separated substrings of workload names to run), TANSU (binary),
SWIFT_BENCH and RDKAFKA_BENCH (the two executables), BENCH_OUT (results file).
"""
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TANSU = os.environ.get("TANSU", os.path.join(ROOT, ".tools/bin/tansu"))
SWIFT_BENCH = os.environ.get("SWIFT_BENCH", os.path.join(ROOT, ".build/release/kafka-bench"))
RDKAFKA_BENCH = os.environ.get("RDKAFKA_BENCH", os.path.join(ROOT, ".build/bench/rdkafka_bench"))
OUT = os.environ.get("BENCH_OUT", os.path.join(ROOT, "bench/results.md"))
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REPS = int(os.environ.get("BENCH_REPS", "3"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "1"))
CODEC_SECONDS = os.environ.get("BENCH_CODEC_SECONDS", "0.5")
ONLY = [s for s in os.environ.get("BENCH_ONLY", "").split(",") if s]
PARTITIONS = 3
LINGER_MS = "5"
BATCH_BYTES = "1000000"
BUFFER_BYTES = str(64 * 1024 * 1024)
CLIENTS = ("swift-kafka", "librdkafka")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tansu:
    """One broker for the whole run, memory storage, on a free loopback port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"tcp://127.0.0.1:{self.port}"
        self.brokers = f"127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="bench-tansu-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [TANSU, "broker", "--listener-url", self.url, "--advertised-listener-url", self.url,
             "--storage-engine", "memory://tansu/"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:  # ready when it answers an admin request, not merely when the port opens
            if self.process.poll() is not None:
                sys.exit(f"bench: Tansu exited with {self.process.returncode}; log: {self.log.name}")
            if subprocess.run([TANSU, "topic", "list", "--broker", self.url], capture_output=True).returncode == 0:
                return
            if time.monotonic() > deadline:
                sys.exit(f"bench: Tansu did not answer within 15 s; log: {self.log.name}")
            time.sleep(0.05)

    def topic(self, name, action="create"):
        args = [TANSU, "topic", action, name, "--broker", self.url]
        if action == "create":
            args[4:4] = ["--partitions", str(PARTITIONS)]
        result = subprocess.run(args, capture_output=True, text=True)
        if result.returncode != 0 and action == "create":
            sys.exit(f"bench: cannot create topic {name}: {result.stderr.strip()}")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def run_child(args):
    """Runs one benchmark process; answers its JSON result plus CPU seconds and peak RSS (MB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        sys.exit(f"bench: {' '.join(args)} failed ({process.returncode}):\n{stderr}{stdout}")
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return lines, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def command(client, mode, brokers, topic, count, size, codec):
    binary = SWIFT_BENCH if client == "swift-kafka" else RDKAFKA_BENCH
    if mode == "produce":
        return [binary, "produce", brokers, topic, str(count), str(size), codec, LINGER_MS, BATCH_BYTES, BUFFER_BYTES]
    return [binary, "consume", brokers, topic, str(count), str(size), str(PARTITIONS)]


def summarize(samples):
    """Median and spread of a client's repetitions."""
    rates = [s["records"] / s["seconds"] for s in samples]
    cpu = statistics.median(s["cpu"] for s in samples)
    median = statistics.median(rates)
    return {
        "rate": median,
        "spread": (max(rates) - min(rates)) / 2 / median * 100 if median else 0,
        "mbps": statistics.median(s["bytes"] / s["seconds"] / 1e6 for s in samples),
        "cpu": cpu,
        "per_cpu": samples[0]["records"] / cpu if cpu else 0,
        "rss": statistics.median(s["rss"] for s in samples),
    }


def client_workloads(tansu):
    """Produce and consume rows for every size and codec."""
    rows = []
    for count, size, label in ((1_000_000, 100, "100 B"), (200_000, 1024, "1 KiB")):
        count = max(1, int(count * SCALE))
        for codec in ("none", "lz4"):
            name = f"{count:,} x {label} {codec}"
            if ONLY and not any(o in f"produce {name}" or o in f"consume {name}" for o in ONLY):
                continue
            samples = {(mode, client): [] for mode in ("produce", "consume") for client in CLIENTS}
            for rep in range(WARMUP + REPS):
                order = CLIENTS if rep % 2 == 0 else CLIENTS[::-1]
                topics = {}
                for client in order:
                    topic = f"bench-{client}-{size}-{codec}-{rep}-{time.time_ns()}"
                    tansu.topic(topic)
                    topics[client] = topic
                    results, cpu, rss = run_child(command(client, "produce", tansu.brokers, topic, count, size, codec))
                    if rep >= WARMUP:
                        samples[("produce", client)].append({**results[-1], "cpu": cpu, "rss": rss})
                for client in order:  # both read what librdkafka produced
                    results, cpu, rss = run_child(command(client, "consume", tansu.brokers, topics["librdkafka"], count, size, codec))
                    if rep >= WARMUP:
                        samples[("consume", client)].append({**results[-1], "cpu": cpu, "rss": rss})
                for topic in topics.values():
                    tansu.topic(topic, "delete")
                print(f"bench: {name} repetition {rep + 1}/{WARMUP + REPS} done", file=sys.stderr)
            for mode in ("produce", "consume"):
                ours, theirs = summarize(samples[(mode, "swift-kafka")]), summarize(samples[(mode, "librdkafka")])
                rows.append((f"{mode} {name}", ours, theirs))
    return rows


def codec_rows():
    """Median GB/s of each codec measurement over BENCH_REPS runs of `kafka-bench codec`."""
    runs = {}
    for _ in range(max(1, REPS)):
        results, _, _ = run_child([SWIFT_BENCH, "codec", CODEC_SECONDS])
        for r in results:
            runs.setdefault(r["name"], []).append(r["gbps"])
    return [(name, statistics.median(v), (max(v) - min(v)) / 2 / statistics.median(v) * 100 if statistics.median(v) else 0)
            for name, v in runs.items()]


def pipeline_row():
    """The generated 10,000-file repository through ingestion -> writer (scripts/bench/pipeline.py:
    release build, the same processes as make run): files/s and p50/p99 per-file latency.
    BENCH_PIPELINE_CMD replaces the command (it prints one JSON line with files, seconds,
    p50_ms, p99_ms); BENCH_PIPELINE_FILES sets the size. CPU-s counts the broker and all four
    services."""
    if ONLY and not any(s in "pipeline" for s in ONLY):
        return "| pipeline (ingestion -> writer) | skipped (BENCH_ONLY) | | | | | | | |"
    files = int(os.environ.get("BENCH_PIPELINE_FILES", str(max(100, int(10_000 * SCALE)))))
    cmd = os.environ.get("BENCH_PIPELINE_CMD")
    if not cmd:
        # Built here, so the measured process does not count the compiler.
        subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        cmd = (f"SKIP_BUILD=1 BUILD_CONFIG=release BENCH_PIPELINE_FILES={files} "
               f"{sys.executable} {os.path.join(ROOT, 'scripts', 'bench', 'pipeline.py')}")
    results, cpu, rss = run_child(["/bin/sh", "-c", cmd])
    r = results[-1]
    return (f"| pipeline {r['files']:,} files (ingestion -> writer) | {r['files'] / r['seconds']:,.0f} files/s, "
            f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms | | | {r['files'] / cpu:,.0f} files/CPU-s | | | {rss:.0f} | |")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def librdkafka_version():
    try:
        import confluent_kafka
        return confluent_kafka.libversion()[0]
    except Exception:
        return "?"


def fmt_rate(value):
    return f"{value / 1e6:.2f} M" if value >= 1e6 else f"{value / 1e3:.0f} k"


def table(rows, codecs, load_before):
    lines = [
        f"Run {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} on {cpu_model()}, {os.cpu_count()} cores "
        f"(load average {load_before:.2f} at start), Tansu memory storage on loopback, librdkafka {librdkafka_version()}; "
        f"scale {SCALE:g}, {WARMUP} warm-up + {REPS} repetitions, median (± half the range), "
        f"acks=all, idempotence on, linger {LINGER_MS} ms, batch {BATCH_BYTES} B, buffer {int(BUFFER_BYTES) >> 20} MiB.",
        "",
        "| workload | ours rec/s | librdkafka rec/s | ratio | ours rec/CPU-s | librdkafka rec/CPU-s | ratio | ours peak RSS MB | librdkafka peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, ours, theirs in rows:
        lines.append(
            f"| {name} | {fmt_rate(ours['rate'])} ±{ours['spread']:.0f}% ({ours['mbps']:.0f} MB/s) "
            f"| {fmt_rate(theirs['rate'])} ±{theirs['spread']:.0f}% ({theirs['mbps']:.0f} MB/s) "
            f"| {ours['rate'] / theirs['rate']:.2f} | {fmt_rate(ours['per_cpu'])} ({ours['cpu']:.2f} CPU-s) "
            f"| {fmt_rate(theirs['per_cpu'])} ({theirs['cpu']:.2f} CPU-s) | {ours['per_cpu'] / theirs['per_cpu']:.2f} "
            f"| {ours['rss']:.0f} | {theirs['rss']:.0f} |")
    for name, gbps, spread in codecs:
        lines.append(f"| codec {name} (GB/s) | {gbps:.2f} ±{spread:.0f}% | | | | | | | |")
    lines.append(pipeline_row())
    return "\n".join(lines) + "\n"


def main():
    for path, hint in ((TANSU, "make deps"), (SWIFT_BENCH, "swift build -c release --product kafka-bench"),
                       (RDKAFKA_BENCH, "make bench-peer")):
        if not os.access(path, os.X_OK):
            sys.exit(f"bench: {path} missing: run `{hint}`")
    load_before = os.getloadavg()[0]
    tansu = Tansu()
    try:
        rows = client_workloads(tansu)
    finally:
        tansu.stop()
    codecs = codec_rows() if not ONLY or any("codec" in o for o in ONLY) else []
    text = table(rows, codecs, load_before)
    print(text)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("# make bench results\n\n" + text)


if __name__ == "__main__":
    main()
