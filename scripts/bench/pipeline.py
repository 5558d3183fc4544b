#!/usr/bin/env python3
"""make bench's pipeline row: a deterministic generated repository of BENCH_PIPELINE_FILES (10,000)
mixed .py/.sql files through ingestion -> miner -> analyzer -> writer, with the release build
(BUILD_CONFIG; built beforehand unless SKIP_BUILD is unset), by `scripts/run_pipeline.py` (the same
processes as `make run`). Prints one JSON line:
{"files", "seconds" (trigger to last file applied), "p50_ms", "p99_ms" (trigger to each file's
acknowledgment on graph.apply)}."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FILES = int(os.environ.get("BENCH_PIPELINE_FILES", "10000"))


def generate(root, count):
    """Half Python (functions, methods, async), half SQL (joins, CTEs, dbt refs), in 100 folders."""
    for i in range(count):
        folder = os.path.join(root, f"pkg{i % 100:02d}")
        os.makedirs(folder, exist_ok=True)
        if i % 2 == 0:
            body = (f"import os\n\n\ndef load_{i}(path):\n    return open(path).read()\n\n\n"
                    f"class Job{i}:\n    def run(self):\n        return load_{i}(os.getcwd())\n\n"
                    f"    async def stream(self):\n        yield {i}\n")
            name = f"job_{i}.py"
        else:
            body = (f"with recent as (select * from {{{{ ref('orders_{i % 50}') }}}} where day > 1)\n"
                    f"select r.id, c.name from recent r join analytics.customers_{i % 20} c on c.id = r.customer_id\n")
            name = f"model_{i}.sql"
        with open(os.path.join(folder, name), "w") as f:
            f.write(body)


def main():
    work = tempfile.mkdtemp(prefix="bench-pipeline-")
    try:
        repo = os.path.join(work, "generated")
        generate(repo, FILES)
        result = os.path.join(work, "result.json")
        env = dict(os.environ, REPO=repo, REPO_NAME="generated", RUN_JSON=result,
                   BUILD_CONFIG=os.environ.get("BUILD_CONFIG", "release"),
                   RUN_TIMEOUT_S=os.environ.get("RUN_TIMEOUT_S", "600"))
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "run_pipeline.py")], env=env, check=True,
                       stdout=sys.stderr)
        with open(result) as f:
            print(json.dumps(json.load(f)), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
