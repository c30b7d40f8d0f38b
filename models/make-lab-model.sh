#!/usr/bin/env bash
# Regenerates models/lab-qemu10-tcg.lmm: the bundled prior calibrated on the committed real QEMU-10 lab dataset.
# Deterministic per seed (the version id also hashes the creation time). Re-run it when the dataset grows.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${1:-$root/datasets/lab/qemu10-tcg.csv}"
meta="${data%.csv}.meta.jsonl"
"$root/lm-advisor" model calibrate --prior bundled --format csap512 --data "$data" --seed 42 \
    --out "$root/models/lab-qemu10-tcg.lmm"
# The evidence: the same calibration, holding out whole workloads (docs/MODEL.md, "The lab model").
"$root/lm-advisor" model lab-eval --prior bundled --format csap512 --data "$data" --meta "$meta" \
    --seed 42 > "$root/models/lab-qemu10-tcg.eval.md"
echo "wrote $root/models/lab-qemu10-tcg.lmm and its hold-out-by-workload evaluation models/lab-qemu10-tcg.eval.md"
echo "the jar carries the lab model: rebuild it (./mvnw -B -ntp -pl cli -am package -DskipTests) before lab run uses the new one"
