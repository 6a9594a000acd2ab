"""CI check of ``grokking reproduce`` outputs: files, statuses, verdict rows.

Usage: python .ci/check_reproduce.py STDOUT_JSON OUT_DIR MIN_ROWS [STATUS]
"""

import json
import os
import sys

doc_path, out, min_rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
status = sys.argv[4] if len(sys.argv) > 4 else "ran"
with open(doc_path, encoding="utf-8") as fh:
    doc = json.load(fh)
assert all(os.path.exists(p) for p in doc["paths"].values()), doc["paths"]
assert set(doc["jobs"].values()) == {status}, doc["jobs"]
with open(os.path.join(out, "summary.json"), encoding="utf-8") as fh:
    summary = json.load(fh)
assert {"ridge", "effective", "spectral", "kernel"} <= set(summary["theories"])
rows = summary["verdicts"]
assert len(rows) >= min_rows, f"{len(rows)} verdict rows, expected >= {min_rows}"
bad = [r["key"] for r in rows if r["theory"] == "ridge" and r["verdict"] != "agree"]
assert not bad, f"ridge rows not in agreement: {bad}"
kernel = summary["theories"]["kernel"]["summary"]
assert kernel["onset_simulation"] and kernel["sigma2_c_scaling_limit"], kernel
with open(os.path.join(out, "report.md"), encoding="utf-8") as fh:
    md = fh.read()
table_rows = [ln for ln in md.splitlines() if ln.startswith("| ") and ln[2:3].isdigit()]
assert len(table_rows) == len(rows), (len(table_rows), len(rows))
with open(os.path.join(out, "report.html"), encoding="utf-8") as fh:
    page = fh.read()
assert page.count("<img ") >= 8 and page.count("<tr id=") == len(rows)
print(f"{len(rows)} verdict rows: {summary['counts']}; jobs {doc['jobs']}")
