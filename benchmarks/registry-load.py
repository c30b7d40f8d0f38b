#!/usr/bin/env python3
"""Registers N distinct schemas with a local registry, then reads each by id; prints the times.

Usage: lm-advisor broker --data-dir D --no-topics --registry-port 8081 &  then  python3 registry-load.py 8081 500
Restart the broker afterwards and read "N restored" in its output to time the restore.
"""
import json
import sys
import time
import urllib.request

port, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 500
base = "http://127.0.0.1:%s" % port
headers = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
t = time.time()
for i in range(n):
    schema = json.dumps({"type": "record", "name": "R%d" % i, "fields": [{"name": "a", "type": "string"}]})
    body = json.dumps({"schema": schema}).encode()
    urllib.request.urlopen(urllib.request.Request("%s/subjects/s%d-value/versions" % (base, i), body, headers)).read()
dt = time.time() - t
print("%d registrations: %.2f s, %.1f ms each" % (n, dt, 1000 * dt / n))
t = time.time()
for i in range(n):
    urllib.request.urlopen("%s/schemas/ids/%d" % (base, i + 1)).read()
dt = time.time() - t
print("%d GET /schemas/ids: %.2f s, %.2f ms each" % (n, dt, 1000 * dt / n))
