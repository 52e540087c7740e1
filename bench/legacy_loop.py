#!/usr/bin/env python3
"""The legacy script's fetch loop: one page after another, no retries, no concurrency;
then the legacy CSV. The baseline of bench/online.sh.

usage: legacy_loop.py URL DAYS OUTPUT   (token from IDEF_TOKEN; TI_EXPORT_NOW pins the clock)
"""
import csv
import datetime
import json
import os
import sys
import urllib.request

from legacy_model import V2, row


def main(url, days, out):
    now = os.environ.get("TI_EXPORT_NOW")
    now = datetime.datetime.fromisoformat(now.replace("Z", "+00:00")) if now else datetime.datetime.now(datetime.timezone.utc)
    start = (now - datetime.timedelta(days=int(days))).strftime("%Y-%m-%dT%H:00:00.000Z")
    results, page, more = [], 1, True
    while more:
        body = json.dumps({"start_date": start, "page_size": 200, "page": page}).encode()
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", "auth-token": os.environ["IDEF_TOKEN"]})
        with urllib.request.urlopen(req) as resp:
            doc = json.load(resp)
        results.extend(doc.get("results") or [])
        more = doc.get("more", False)
        page += 1
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=V2, extrasaction="ignore")
        w.writeheader()
        for r in results:
            w.writerow(row(r))


if __name__ == "__main__":
    main(*sys.argv[1:4])
