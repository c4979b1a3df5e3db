"""Run the sector's SSDA903 validator on annual files a run wrote (docs/ssda903.md, "The
DfE's rules"). Not a test dependency: the validator pins Python 3.8 and pandas 1.0.5, so it
runs in its own environment (/work/shared/stack.md):

    ~/.pyenv/versions/3.8.18/bin/python -m venv v38
    v38/bin/pip install quality-lac-data-validator==1.0.3
    QLACREF_PC_KEY=<the public key .qlacref/id_rsa.pub of its repository> \
        v38/bin/python scripts/validate_ssda903.py example/ssda903 2017 2018 2019 2020

For each collection year YEAR (ending 31 March YEAR) it loads ``episodes_YEAR.csv`` and
``header_YEAR.csv`` as this year's and those of YEAR-1 as last year's, applies every rule
the validator configures, and prints how many applied, were skipped (tables not written)
or failed to run, and the errors by table and rule. The validator also writes a log
("903 Validator -- DATE.log") in the current folder: run it outside the checkout.
"""
from __future__ import annotations

import importlib.metadata as md
import logging
import sys
from collections import Counter

import qlacref_authorities  # the validator's reference data (installed with it)
from validator903.config import errors as all_errors
from validator903.ingress import _BufferedUploadedFile
from validator903.validator import Validator

logging.disable(logging.CRITICAL)


def main(folder: str, years: list[int]) -> None:
    print("quality-lac-data-validator", md.version("quality-lac-data-validator"),
          "rules configured:", len(all_errors))
    for y in years:
        files = [_BufferedUploadedFile(file=f"{folder}/{k}_{y}.csv", name=f"{k}_{y}.csv",
                                       description="This year") for k in ("episodes", "header")]
        files += [_BufferedUploadedFile(file=f"{folder}/{k}_{y - 1}.csv",
                                        name=f"{k}_{y - 1}_last.csv", description="Prev year")
                  for k in ("episodes", "header")]
        meta = {"localAuthority": qlacref_authorities.records[0]["UTLA21CD"],
                "collectionYear": f"{y - 1}/{str(y)[2:]}"}
        Validator.dones, Validator.skips, Validator.fails = [], [], []
        v = Validator(metadata=meta, files=files)
        res = v.validate(error_codes=list(all_errors.keys()))
        counts: Counter = Counter()
        for table, df in res.items():
            for c in getattr(df, "columns", []):
                if c.startswith("ERR_"):
                    n = int(df[c].fillna(False).astype(bool).sum())
                    if n:
                        counts[(table, c[4:])] += n
        print(f"{y - 1}/{y}: applied {len(set(v.dones))}, skipped (tables not written) "
              f"{len(set(v.skips))}, failed to run {len(set(v.fails))}; errors: "
              f"{dict(counts) or 'none'}")


if __name__ == "__main__":
    main(sys.argv[1], [int(a) for a in sys.argv[2:]])
