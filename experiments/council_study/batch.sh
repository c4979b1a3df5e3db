#!/bin/bash
# usage: batch.sh OUTFILE < lines of "scale seed k=v ..."; runs one model at a time
out=$1
while read -r line; do
  [ -z "$line" ] && continue
  PYTHONPATH=${SNAP:-/work/council-wt} /work/main/.venv/bin/python experiments/council_study/diag.py $line >> "$out" 2>>"$out.err"
done
