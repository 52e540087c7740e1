#!/usr/bin/env python3
"""A Python model of the legacy ti-export conversion: json.load + the legacy row mapping +
csv.DictWriter, as the original script did it (with its crashes fixed the way
legacy-format.md says). Used as the speed baseline in bench/run.sh and as a reference for
differential tests.

usage: legacy_model.py INPUT OUTPUT [--version 1|2] [--format csv|json]
INPUT: an API response object, an array of them, or an array of indicators.
"""
import csv
import json
import sys

V2 = ["type", "format", "value", "role", "sample-md5", "last-observed", "comment", "ref-id", "confidence", "severity"]
SEVERITY = {1: "MINIMAL", 2: "LOW", 3: "MED", 4: "HIGH", 5: "EXTREME"}


def number(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def confidence(v):
    v = number(v)
    if v is None:
        return ""
    return "HIGH" if v >= 75 else "MED" if v >= 50 else "LOW" if v >= 25 else "NONE" if v >= 0 else ""


def severity(v):
    v = number(v)
    if v is None or v != int(v):
        return ""
    return SEVERITY.get(int(v), "")


def row(ind):
    files = ind.get("files") or []
    return {
        "format": "STRING",
        "value": ind["key"],
        "type": "+".join(ind.get("threat_types") or []),
        "last-observed": ind.get("last_seen") or "",
        "severity": severity(ind.get("severity")),
        "confidence": confidence(ind.get("confidence")),
        "role": "+".join(ind.get("last_seen_as") or []),
        "comment": "+".join(ind.get("malware_family") or []),
        "sample-md5": (files[0].get("key") or "") if files else "",
        "ref-id": "",
        "uuid": ind.get("uuid"),
    }


def indicators(doc):
    if isinstance(doc, dict):
        return doc.get("results") or []
    out = []
    for item in doc:
        if isinstance(item, dict) and "key" not in item and ("results" in item or "total_size" in item):
            out.extend(item.get("results") or [])
        else:
            out.append(item)
    return out


def main(argv):
    src, dst = argv[1], argv[2]
    version = argv[argv.index("--version") + 1] if "--version" in argv else "2"
    fmt = argv[argv.index("--format") + 1] if "--format" in argv else "csv"
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    rows = [row(i) for i in indicators(doc)]
    if fmt == "json":
        with open(dst, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=2)
        return
    fields = V2 if version == "2" else V2[:8]
    with open(dst, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)


if __name__ == "__main__":
    main(sys.argv)
