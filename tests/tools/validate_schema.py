#!/usr/bin/env python3
"""Validates a JSON document against a JSON Schema file, offline.

usage: validate_schema.py SCHEMA DOC [EXTRA_SCHEMA...]

Every schema file in SCHEMA's directory (and any EXTRA_SCHEMA) is registered under its file name,
its "$id" and the "$id" resolved against SCHEMA's base, so a relative "$ref" such as
"spdx.SNAPSHOT.schema.json" (CycloneDX) resolves locally and nothing is fetched from the network:
an unresolvable $ref is an error, never a silent pass. Exit 0 valid, 1 invalid, 2 usage/IO error.
Works with python3-jsonschema 4.10 (Debian 12, RefResolver) and >= 4.18 (referencing).
"""
import json
import os
import sys
import urllib.parse

import jsonschema


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema_path, doc_path = argv[1], argv[2]
    try:
        schema = load(schema_path)
        doc = load(doc_path)
    except (OSError, ValueError) as e:
        print(f"validate_schema: {e}", file=sys.stderr)
        return 2

    base = schema.get("$id", "file://" + os.path.abspath(schema_path))
    paths = [os.path.join(os.path.dirname(os.path.abspath(schema_path)), n)
             for n in sorted(os.listdir(os.path.dirname(os.path.abspath(schema_path))))
             if n.endswith(".json")] + argv[3:]
    store = {}
    for p in paths:
        try:
            s = load(p)
        except (OSError, ValueError):
            continue
        if not isinstance(s, dict):
            continue
        name = os.path.basename(p)
        for uri in {name, urllib.parse.urljoin(base, name), s.get("$id")}:
            if uri:
                store[uri] = s
                store[uri.rstrip("#")] = s

    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    kwargs = {"format_checker": cls.FORMAT_CHECKER} if hasattr(cls, "FORMAT_CHECKER") else {}
    validator = None
    try:
        from referencing import Registry, Resource  # jsonschema >= 4.18
        from referencing.jsonschema import specification_with

        default_spec = specification_with(schema.get("$schema", ""))
        registry = Registry().with_resources(
            (uri, Resource.from_contents(s, default_specification=default_spec))
            for uri, s in store.items())
        validator = cls(schema, registry=registry, **kwargs)
    except (ImportError, TypeError):
        pass  # an older jsonschema (Debian 12 has 4.10): RefResolver with a local store
    if validator is None:
        resolver = jsonschema.RefResolver(base_uri=base, referrer=schema, store=store)
        validator = cls(schema, resolver=resolver, **kwargs)

    try:
        errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    except Exception as e:  # an unresolvable $ref: a broken setup, never a pass
        print(f"validate_schema: cannot validate {doc_path}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    for e in errors[:50]:
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        print(f"{doc_path}: {where}: {e.message[:300]}", file=sys.stderr)
    if errors:
        print(f"{doc_path}: INVALID against {schema_path} ({len(errors)} errors)", file=sys.stderr)
        return 1
    print(f"{doc_path}: valid against {os.path.basename(schema_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
