#!/usr/bin/env python3
"""Seeds the fuzz corpus from real peers' bytes under Fixtures/, one file per input, each prefixed
with the mode byte DecoderFuzzTarget reads (0 request frames, 1 response, 2 record set, 3 decompress).

usage: make-corpus.py FIXTURES_DIR OUT_DIR
"""
import hashlib, json, os, re, sys

fixtures, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
codec_ids = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
seen = set()

def emit(data: bytes):
    global seen
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    seen.add(name)

frame_name = re.compile(r"^\d+-(\d+)-v(\d+)-(request|response)\.bin$")
frames_dir = os.path.join(fixtures, "frames")
for scenario in sorted(os.listdir(frames_dir)):
    path = os.path.join(frames_dir, scenario)
    if not os.path.isdir(path):
        continue
    for name in sorted(os.listdir(path)):
        m = frame_name.match(name)
        if not m:
            continue
        key, version, direction = int(m.group(1)), int(m.group(2)), m.group(3)
        data = open(os.path.join(path, name), "rb").read()
        if direction == "request":
            emit(bytes([0]) + data)
        elif key < 256:
            emit(bytes([1, key, version]) + data[4:])

codecs_dir = os.path.join(fixtures, "codecs")
for name in sorted(os.listdir(codecs_dir)):
    data = open(os.path.join(codecs_dir, name), "rb").read()
    if name.endswith(".bin"):
        emit(bytes([2]) + data)
        emit(bytes([0x82]) + data)  # the same with checksums verified
        m = re.match(r"batch-v2-(gzip|snappy|lz4|zstd)\.bin$", name)
        if m:  # a v2 batch's records start after its 61-byte header
            emit(bytes([3, codec_ids[m.group(1)]]) + data[61:])
    elif name.startswith("text.") and name != "text.txt":
        kind = name.split(".", 1)[1]
        codec = next((c for c in codec_ids if kind.startswith(c)), None)
        if codec:
            emit(bytes([3, codec_ids[codec]]) + data)
print(f"{len(seen)} distinct seed inputs in {out}")
