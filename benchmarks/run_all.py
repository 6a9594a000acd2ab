"""Every speed ratio of the project in one run: a table on stdout and a JSON file.

Sections (each measured with both sides of its ratio in the same run, under
the same load; a section that fails records its error and the others go on):

* ``ridge``: exact closed-form times vs the GD loop, per seed through the CLI
  path, idle and under a self-started 2-core load
  (:mod:`benchmarks.ridge_exact_vs_gd`);
* ``toy``: the batched numpy toy model, batch vs single run and vs the
  reference PyTorch figure (:mod:`benchmarks.effective_toy_throughput`);
* ``kernel``: the adaptive-kernel theory curves vs their 1 s target
  (:mod:`benchmarks.kernel_speed`);
* ``spectral``: scoring 10^4 loss curves, the batched scorer vs one
  ``window_features`` call per curve;
* ``cli``: start-up of the CLI vs a bare ``python -c pass``.

Interfaces expected of the other benchmark modules (used when present; the
fallbacks below keep this script working with the current files):

* ``effective_toy_throughput.measure(steps=..., dtypes=...) -> dict`` with, per
  dtype, ``{"single": run-steps/s, "batched": run-steps/s, "batch_size": int}``
  and the module constant ``REFERENCE_TORCH`` (run-steps/s).  Fallback: the
  module's ``_throughput(dtype, runs, steps)``.
* ``kernel_speed.measure() -> dict`` of ``{name: seconds}`` for the theory
  curves (target 1 s each).  Fallback: ``kernel_speed.main()``'s printed
  ``... : <seconds> s   ratio <x>`` lines.

Run:  python benchmarks/run_all.py [--quick] [--json benchmarks/run_all.json]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def _module(name):
    return importlib.import_module(name)


# -- sections ------------------------------------------------------------------------------
def ridge_section(quick: bool) -> list:
    bench = _module("ridge_exact_vs_gd")
    res = bench.run("both", n_seeds=10 if quick else 20, gd_seeds=1 if quick else 2,
                    repeat=3 if quick else 5)
    rows = []
    for cond, r in res.items():
        for path, ratio in r["ratio_gd_over"].items():
            rows.append({"section": "ridge", "name": f"GD loop / exact {path} ({cond})",
                         "ratio": ratio,
                         "detail": f"{r['seconds_per_seed'][path] * 1e3:.3f} ms/seed vs GD "
                                   f"{r['seconds_per_seed']['gd']:.2f} s/seed"})
    return rows


def toy_section(quick: bool) -> list:
    bench = _module("effective_toy_throughput")
    steps = 60 if quick else 300
    ref = getattr(bench, "REFERENCE_TORCH", None)
    rows = []
    if hasattr(bench, "measure"):
        out = bench.measure(steps=steps, dtypes=("float32",))
        per = {dt: (v["single"], v["batched"], v.get("batch_size", 128)) for dt, v in out.items()}
    else:
        per = {"float32": (bench._throughput("float32", 1, steps),
                           bench._throughput("float32", 128, steps), 128)}
    for dt, (single, batched, size) in per.items():
        rows.append({"section": "toy", "name": f"batch of {size} / single run ({dt})",
                     "ratio": batched / single,
                     "detail": f"{batched:.0f} vs {single:.0f} run-steps/s"})
        if ref:
            rows.append({"section": "toy", "name": f"batch of {size} / reference torch ({dt})",
                         "ratio": batched / ref,
                         "detail": f"{batched:.0f} vs {ref:.0f} run-steps/s"})
    return rows


_KERNEL_LINE = re.compile(r"^\s*(?P<name>[^:]+?)\s*:\s*(?P<sec>[0-9.]+) s\s+ratio\s+(?P<r>[0-9.]+)")


def kernel_section(quick: bool) -> list:
    bench = _module("kernel_speed")
    if hasattr(bench, "measure"):
        return [{"section": "kernel", "name": f"1 s target / {k}", "ratio": 1.0 / v,
                 "detail": f"{v:.3f} s"} for k, v in bench.measure().items()]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        bench.main()
    rows = []
    for line in buf.getvalue().splitlines():
        m = _KERNEL_LINE.match(line)
        if m:
            rows.append({"section": "kernel", "name": m["name"], "ratio": float(m["r"]),
                         "detail": f"{float(m['sec']):.3f} s"})
    if not rows:
        raise RuntimeError("kernel_speed printed no 'NAME : SECONDS s ratio X' line")
    return rows


def spectral_section(quick: bool) -> list:
    from theory.spectral.predictor import SpectralConfig, score_curves, window_features

    n_curves = 2_000 if quick else 10_000
    cfg = SpectralConfig()
    rng = np.random.default_rng(0)
    t = np.arange(cfg.window)
    curves = (np.exp(-t / rng.uniform(50, 400, (n_curves, 1)))
              + 0.02 * rng.standard_normal((n_curves, cfg.window)))
    t0 = time.perf_counter()
    batched = score_curves(curves, cfg)
    t_batch = time.perf_counter() - t0
    k = min(n_curves, 1_000)
    t0 = time.perf_counter()
    loop = np.array([window_features(c, cfg).activity for c in curves[:k]])
    t_loop = (time.perf_counter() - t0) * n_curves / k
    if not np.allclose(loop, batched[:k], rtol=1e-10, atol=0):
        raise RuntimeError("batched scores differ from window_features")
    return [{"section": "spectral", "name": f"per-curve loop / score_curves ({n_curves} curves)",
             "ratio": t_loop / t_batch,
             "detail": f"{t_batch:.2f} s for {n_curves} curves "
                       f"({n_curves / t_batch:.0f} curves/s)"}]


def _cli_command() -> list:
    exe = shutil.which("grokking", path=str(Path(sys.executable).parent))
    if exe:
        return [exe]
    for mod in ("grokking_cli", "validation.cli"):
        try:
            importlib.util.find_spec(mod)
        except (ImportError, ValueError):
            continue
        if importlib.util.find_spec(mod) is not None:
            return [sys.executable, "-m", mod]
    raise RuntimeError("no grokking CLI found")


def _wall(cmd, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def cli_section(quick: bool) -> list:
    repeat = 3 if quick else 7
    cli = _cli_command()
    bare = _wall([sys.executable, "-c", "pass"], repeat)
    numpy_only = _wall([sys.executable, "-c", "import numpy"], repeat)
    version = _wall(cli + ["--version"], repeat)
    times1 = _wall(cli + ["ridge", "times", "--seeds", "1"], repeat)
    return [{"section": "cli", "name": name, "ratio": t / bare,
             "detail": f"{t * 1e3:.0f} ms vs bare python {bare * 1e3:.0f} ms"}
            for name, t in (("python -c 'import numpy' / bare python", numpy_only),
                            ("grokking --version / bare python", version),
                            ("grokking ridge times --seeds 1 / bare python", times1))]


SECTIONS = {"ridge": ridge_section, "toy": toy_section, "kernel": kernel_section,
            "spectral": spectral_section, "cli": cli_section}


def run(sections=tuple(SECTIONS), quick: bool = False) -> dict:
    """Run the sections; ``{"rows": [...], "errors": {...}, "config": {...}}``."""
    rows, errors, seconds = [], {}, {}
    for name in sections:
        t0 = time.perf_counter()
        try:
            rows.extend(SECTIONS[name](quick))
        except Exception as exc:                 # a broken section must not hide the others
            errors[name] = f"{type(exc).__name__}: {exc}"
        seconds[name] = time.perf_counter() - t0
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"rows": rows, "errors": errors,
            "config": {"quick": quick, "sections": list(sections), "seconds": seconds,
                       "python": platform.python_version(), "numpy": np.__version__,
                       "cpus": os.cpu_count(), "load_average_at_end": load,
                       "definition": "ratio = slower side / faster side, both measured in "
                                     "this run (> 1: the project's path is faster), except "
                                     "cli rows: start-up time / bare python start-up"}}


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer seeds, steps and curves")
    ap.add_argument("--only", nargs="*", choices=list(SECTIONS), default=list(SECTIONS))
    ap.add_argument("--json", default=str(HERE / "run_all.json"), help="output JSON file")
    args = ap.parse_args(argv)
    res = run(args.only, quick=args.quick)
    width = max([len(r["name"]) for r in res["rows"]] + [10])
    print(f"{'section':<9} {'ratio':>9}  {'what':<{width}}  detail")
    for r in res["rows"]:
        print(f"{r['section']:<9} {r['ratio']:>9.1f}  {r['name']:<{width}}  {r['detail']}")
    for name, err in res["errors"].items():
        print(f"{name:<9} {'error':>9}  {err}")
    print(f"load average at the end: {res['config']['load_average_at_end']}")
    _write_atomic(Path(args.json), json.dumps(res, indent=2) + "\n")
    print(f"wrote {args.json}")
    return res


if __name__ == "__main__":
    main()
