#!/usr/bin/env python3
"""`make run`: the whole pipeline on this machine, as plain processes.

Installs the broker if missing (scripts/install-deps.sh), builds, starts Tansu on a free loopback
port, creates the topics from config/topics.yaml with `kafka-admin create-topics`, starts the four
services with the environment compose.yaml gives them, triggers ingestion of Fixtures/sample-repo
(or REPO=/some/dir, named REPO_NAME or after its directory), shows progress until the writer has
applied every mined file, prints a summary and stops everything, also on Ctrl-C or failure.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_DIR = os.path.join(ROOT, ".run")
SERVICES = ["graph-writer", "analyzer", "miner", "ingestion"]  # consumers first, ingestion last
TIMEOUT_S = float(os.environ.get("RUN_TIMEOUT_S", "300"))

children = []  # (name, Popen), in start order


def log(message):
    print(f"[make run] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(port, path, timeout=3.0):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return None, ""


def start(name, argv, env=None):
    os.makedirs(os.path.join(RUN_DIR, "logs"), exist_ok=True)
    out = open(os.path.join(RUN_DIR, "logs", f"{name}.log"), "wb")
    process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    children.append((name, process))
    return process


def stop_all():
    """SIGTERM in reverse start order (services drain and commit), SIGKILL after 20 s."""
    for name, process in reversed(children):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop in 20 s: killing it")
                process.kill()
                process.wait()
        if name != "tansu" and process.returncode not in (0, None):
            log(f"{name} exited with {process.returncode} (log: .run/logs/{name}.log)")
    children.clear()


def wait_until(what, condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in children:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode} while waiting for {what}; "
                                   f"see .run/logs/{name}.log")
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def main():
    started = time.monotonic()
    tansu = os.path.join(ROOT, ".tools", "bin", "tansu")
    if not os.access(tansu, os.X_OK):
        log("Tansu missing: running scripts/install-deps.sh")
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "install-deps.sh")], check=True, cwd=ROOT)
    swift = os.environ.get("SWIFT", "swift")
    # BUILD_CONFIG=release for measurements (make bench); debug by default, as make test builds.
    config = ["-c", os.environ.get("BUILD_CONFIG", "debug")]
    if os.environ.get("SKIP_BUILD") != "1":
        log("building")
        subprocess.run([swift, "build", *config], check=True, cwd=ROOT)
    bin_dir = subprocess.run([swift, "build", *config, "--show-bin-path"], check=True, cwd=ROOT,
                             capture_output=True, text=True).stdout.strip()
    built = time.monotonic()

    repo = os.path.realpath(os.environ.get("REPO") or os.path.join(ROOT, "Fixtures", "sample-repo"))
    if not os.path.isdir(repo):
        raise RuntimeError(f"REPO={repo} is not a directory")
    repo_name = os.environ.get("REPO_NAME") or os.path.basename(repo)
    if os.path.exists(RUN_DIR):
        shutil.rmtree(RUN_DIR)
    os.makedirs(RUN_DIR)
    sqlite_path = os.path.join(RUN_DIR, "graph.sqlite")

    port = free_port()
    brokers = f"127.0.0.1:{port}"
    log(f"starting Tansu on {brokers}")
    start("tansu", [tansu, "broker", "--listener-url", f"tcp://{brokers}", "--advertised-listener-url", f"tcp://{brokers}",
                    "--storage-engine", "memory://tansu/"])
    admin = os.path.join(bin_dir, "kafka-admin")

    def broker_answers():
        return subprocess.run([admin, "topic", "list", "-b", brokers], capture_output=True).returncode == 0
    wait_until("the broker", broker_answers, 30)
    subprocess.run([admin, "create-topics", "--file", os.path.join(ROOT, "config", "topics.yaml"), "-b", brokers], check=True)

    common = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "KAFKA_BROKERS": brokers,
        "KAFKA_SECURITY_PROTOCOL": "PLAINTEXT",
        "TOPIC_REPOS_INGESTED": "repos.ingested",
        "TOPIC_CODE_MINED": "code.mined",
        "TOPIC_CODE_ANALYZED": "code.analyzed",
        "TOPIC_GRAPH_APPLY": "graph.apply",
        "DLQ_SUFFIX": ".dlq",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "info"),
        "HTTP_HOST": "127.0.0.1",
        # Tansu holds JoinGroup for half the session timeout: keep it short for a quick start.
        "SESSION_TIMEOUT_MS": "2000",
        "HEARTBEAT_INTERVAL_MS": "500",
    }
    ports = {name: free_port() for name in SERVICES}
    specific = {
        "ingestion": {"ALLOWED_ROOTS": repo},
        "miner": {"GROUP_ID": "miner", "ALLOWED_ROOTS": repo, "MAX_FILE_SIZE": "10485760"},
        "analyzer": {"GROUP_ID": "analyzer", "ALLOWED_ROOTS": repo, "REPOS_ROOT": os.path.dirname(repo)},
        "graph-writer": {"GROUP_ID": "graph-writer", "GRAPH_STORE": "sqlite", "SQLITE_PATH": sqlite_path},
    }
    for name in SERVICES:
        env = dict(common, KAFKA_CLIENT_ID=name, HTTP_PORT=str(ports[name]), **specific[name])
        start(name, [os.path.join(bin_dir, name)], env)
    for name in SERVICES:
        wait_until(f"{name} /health", lambda: http(ports[name], "/health")[0] == 200, 60)
    log("services up: " + ", ".join(f"{n} :{ports[n]}" for n in SERVICES))

    def stats(name):
        status, body = http(ports[name], "/stats")
        return json.loads(body) if status == 200 else None

    # Wait for the groups to get their partitions so progress starts at once.
    wait_until("partition assignments", lambda: all((stats(n) or {}).get("lag") for n in ["miner", "analyzer", "graph-writer"]), 60)

    query = urllib.parse.urlencode({"repo": repo_name, "path": repo, "ref": os.environ.get("REF", "")})
    triggered_at = time.time()
    triggered_mono = time.monotonic()
    status, body = http(ports["ingestion"], f"/trigger?{query}", timeout=30)
    if status != 202:
        raise RuntimeError(f"trigger refused: {status} {body}")
    log(f"triggered {repo_name} ({repo}): {body}")

    snapshot = {}

    def finished():
        for name in ["miner", "analyzer", "graph-writer"]:
            current = stats(name)
            if current is None:
                return False
            snapshot[name] = current
        miner, analyzer, writer = snapshot["miner"], snapshot["analyzer"], snapshot["graph-writer"]
        mined = miner["produced"] - miner["deadLettered"]
        analyzed = analyzer["produced"] - analyzer["deadLettered"]
        line = (f"mined {mined} | analyzed {analyzer['processed']} | applied {writer['processed'] - writer['deadLettered']}"
                f" | dead letters {miner['deadLettered'] + analyzer['deadLettered'] + writer['deadLettered']}")
        if line != finished.last:
            finished.last = line
            print(f"\r[make run] {line}   ", end="" if sys.stdout.isatty() else "\n", flush=True)
        return (miner["processed"] >= 1 and miner["inFlight"] == 0 and analyzer["processed"] >= mined
                and analyzer["inFlight"] == 0 and writer["processed"] >= analyzed and writer["inFlight"] == 0)
    finished.last = ""
    wait_until("the writer to apply every mined file", finished, TIMEOUT_S)
    print(flush=True)
    # From the trigger to the writer's last record (its clock: same machine).
    done_at = max(snapshot[n].get("lastRecordAtMs") or 0 for n in ["miner", "analyzer", "graph-writer"]) / 1000

    summary = json.loads(subprocess.run([os.path.join(bin_dir, "graph-writer"), "query", "--summary", "--json"],
                                        env=dict(common, SQLITE_PATH=sqlite_path), check=True,
                                        capture_output=True, text=True).stdout)
    total = done_at - triggered_at
    print()
    print(f"  repository   {repo_name} ({repo})")
    languages = ", ".join(f"{lang} {count}" for lang, count in sorted(summary["filesByLanguage"].items()))
    print(f"  files        {summary['files']} ({languages})")
    print(f"  functions    {summary['functions']}")
    print(f"  tables       {summary['tables']}")
    print(f"  edges        {summary['containsEdges']} repo-contains-file, {summary['referencesEdges']} file-references-table")
    dead = sum(snapshot[n]["deadLettered"] for n in ["miner", "analyzer", "graph-writer"])
    print(f"  dead letters {dead}")
    for name in ["miner", "analyzer", "graph-writer"]:
        s = snapshot[name]
        first, last = s.get("firstRecordAtMs"), s.get("lastRecordAtMs")
        span = (last - first) / 1000 if first and last else 0.0
        done = (last / 1000 - triggered_at) if last else 0.0
        print(f"  {name:<12} {s['processed']:>6} records in {span:6.3f} s (done {done:6.3f} s after the trigger)")
    rate = summary["files"] / total if total > 0 else 0.0
    print(f"  total        {total:.3f} s from trigger to last file applied: {rate:.1f} files/s"
          f" (before it: build {built - started:.1f} s, broker, topics and services {triggered_mono - built:.1f} s)")
    print(f"  graph        {sqlite_path}  (query: SQLITE_PATH={sqlite_path} {bin_dir}/graph-writer query --summary)")
    print()
    if os.environ.get("RUN_JSON"):
        write_measurements(os.environ["RUN_JSON"], admin, brokers, triggered_at, total, summary["files"])


def write_measurements(path, admin, brokers, triggered_at, total, files):
    """For make bench: files, seconds and per-file latency percentiles, the latency of a file being
    the time from the trigger to the writer's acknowledgment of it on graph.apply (its `ts`)."""
    out = subprocess.run([admin, "consume", "graph.apply", "-b", brokers, "-o", "start", "-e", "-f", "json"],
                         check=True, capture_output=True, text=True).stdout
    latencies = []
    for line in out.splitlines():
        ack = json.loads(json.loads(line)["value"])
        applied = datetime.fromisoformat(ack["ts"].replace("Z", "+00:00")).timestamp()
        latencies.append((applied - triggered_at) * 1000)
    latencies.sort()

    def percentile(q):
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0
    with open(path, "w") as f:
        json.dump({"files": files, "seconds": total, "p50_ms": percentile(0.50), "p99_ms": percentile(0.99),
                   "acks": len(latencies)}, f)


def on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    # Also SIGINT: a shell that starts us in the background leaves it ignored.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    code = 0
    try:
        main()
    except KeyboardInterrupt:
        print()
        log("interrupted: stopping everything")
        code = 130
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print()
        log(f"failed: {error}")
        code = 1
    finally:
        stop_all()
    log("stopped" if code == 0 else f"stopped (exit {code})")
    sys.exit(code)
