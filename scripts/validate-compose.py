#!/usr/bin/env python3
"""Validates a compose file against the Compose Specification JSON schema.

usage: validate-compose.py COMPOSE_FILE SCHEMA_FILE [--dump]

Exit status: 0 valid (with --dump, the loaded document is printed as JSON, anchors and
merge keys resolved), 1 invalid (one line per violation on stderr), 2 bad usage or unreadable
input, 3 a required python package is missing (install: pip install jsonschema PyYAML).
"""
import json
import sys


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import yaml
    except ImportError:
        print("python package PyYAML is missing: pip install PyYAML", file=sys.stderr)
        return 3
    try:
        import jsonschema
    except ImportError:
        print("python package jsonschema is missing: pip install jsonschema", file=sys.stderr)
        return 3
    try:
        with open(args[0]) as f:
            document = yaml.safe_load(f)
        with open(args[1]) as f:
            schema = json.load(f)
    except (OSError, yaml.YAMLError, ValueError) as e:
        print(f"cannot read input: {e}", file=sys.stderr)
        return 2
    # The spec's "$schema" lacks the trailing "#" that jsonschema looks up; name draft 7 directly.
    if "draft-07" in str(schema.get("$schema", "")):
        validator_class = jsonschema.Draft7Validator
    else:
        validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        where = "/".join(map(str, error.absolute_path)) or "(root)"
        print(f"{where}: {error.message}", file=sys.stderr)
    if errors:
        return 1
    if "--dump" in argv:
        json.dump(document, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
