"""The sweep engine: axes, chunking, labelled results, resuming, executors, Dask."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from validation.sweep import Axis, Sweep, SweepResult, make_executor, parse_axis, run_sweep

sys.path.insert(0, os.path.dirname(__file__))
from _sweep_funcs import noisy_grid  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def _sweep(chunk_size=3, seeds=(0, 1)):
    return Sweep([Axis.from_range("a", 0.5, 2.0, 4), Axis("b", [1, 5, 7])], seeds=seeds,
                 chunk_size=chunk_size, config={"what": "test"})


def _brute_force(sweep):
    """Every point evaluated on its own, placed by nested loops over the axes."""
    a_vals, b_vals = sweep.axes[0].values, sweep.axes[1].values
    out = np.empty((len(a_vals), len(b_vals), len(sweep.seeds)))
    for i, a in enumerate(a_vals):
        for j, b in enumerate(b_vals):
            for k, s in enumerate(sweep.seeds):
                pt = {"a": np.array([a]), "b": np.array([b]), "seed": np.array([s])}
                out[i, j, k] = noisy_grid(pt)["value"][0]
    return out


# ----------------------------------------------------------------------------- axes
def test_parse_axis_forms():
    ax = parse_axis("lr=1e-4:1e-2:5:log")
    np.testing.assert_allclose(ax.values, 10.0 ** np.linspace(-4, -2, 5), rtol=1e-11)
    assert ax.scale == "log"
    assert parse_axis("wd=0:10:11").values == tuple(float(v) for v in range(11))
    assert parse_axis("n=10,20,30", integer=("n",)).values == (10, 20, 30)
    default = Axis("wd", [0, 1])
    assert parse_axis("wd", defaults={"wd": default}) is default


@pytest.mark.parametrize("text, match", [
    ("lr=1:2", "START:STOP:NUM"), ("lr=0:1:3:log", "> 0"), ("lr=1:2:x", "NUM"),
    ("zz=1,2", "unknown axis"), ("lr", "no default"), ("n=1.5,2", "integers"),
    ("lr=1,1", "distinct"), ("lr=1:2:3:cubic", "log"),
])
def test_parse_axis_errors_name_the_problem(text, match):
    with pytest.raises(ValueError, match=match):
        parse_axis(text, names=("lr", "n"), integer=("n",))


def test_sweep_rejects_bad_input():
    with pytest.raises(ValueError, match="distinct"):
        Sweep([Axis("a", [1]), Axis("a", [2])])
    with pytest.raises(ValueError, match="chunk_size"):
        Sweep([Axis("a", [1])], chunk_size=0)
    with pytest.raises(ValueError, match="seeds"):
        Sweep([Axis("a", [1])], seeds=[1, 1])
    with pytest.raises(ValueError, match="first dimension"):
        run_sweep(Sweep([Axis("a", [1, 2])], chunk_size=2), lambda p: {"y": np.zeros(3)},
                  executor="serial", progress=False)


# ----------------------------------------------------------------------------- results
@pytest.mark.parametrize("chunk_size", [1, 5, 24, 100])
def test_result_is_labelled_and_independent_of_chunking(chunk_size):
    sweep = _sweep(chunk_size)
    res = run_sweep(sweep, noisy_grid, executor="serial", progress=False)
    assert res.dims == ("a", "b", "seed")
    np.testing.assert_array_equal(res["value"], _brute_force(sweep))
    # coordinates label every entry: the stored pair equals the coords at that index
    A, B = np.meshgrid(res.coords["a"], res.coords["b"], indexing="ij")
    np.testing.assert_array_equal(res["pair"][..., 0, 0], A)
    np.testing.assert_array_equal(res["pair"][..., 0, 1], B)
    np.testing.assert_array_equal(res["seed_echo"][0, 0], [0, 1])


def test_save_load_round_trip(tmp_path):
    res = run_sweep(_sweep(), noisy_grid, executor="serial", progress=False)
    back = SweepResult.load(res.save(tmp_path / "r.npz"))
    assert back.dims == res.dims and back.attrs == res.attrs
    for k in res.data:
        np.testing.assert_array_equal(back[k], res[k])
        assert back[k].dtype == res[k].dtype
    for k in res.coords:
        np.testing.assert_array_equal(back.coords[k], res.coords[k])


def test_to_xarray_selects_by_label():
    xr = pytest.importorskip("xarray")   # optional extra [xarray]
    res = run_sweep(_sweep(), noisy_grid, executor="serial", progress=False)
    ds = res.to_xarray()
    assert isinstance(ds, xr.Dataset)
    pt = {"a": np.array([1.5]), "b": np.array([7]), "seed": np.array([1])}
    assert float(ds["value"].sel(a=1.5, b=7, seed=1)) == noisy_grid(pt)["value"][0]


@pytest.mark.parametrize("executor", ["threads", "processes"])
def test_local_executors_match_serial(executor):
    sweep = _sweep(chunk_size=4)
    ref = run_sweep(sweep, noisy_grid, executor="serial", progress=False)
    res = run_sweep(sweep, noisy_grid, executor=executor, max_workers=2, progress=False)
    for k in ref.data:
        np.testing.assert_array_equal(res[k], ref[k])


# ----------------------------------------------------------------------------- resuming
def test_resume_computes_only_missing_chunks(tmp_path):
    sweep = _sweep(chunk_size=4)
    full = run_sweep(sweep, noisy_grid, store=tmp_path / "s", executor="serial", progress=False)
    assert full.stats["chunks_computed"] == sweep.n_chunks
    for k in (1, 4):
        os.remove(tmp_path / "s" / f"chunk_{k:06d}.npz")
    calls = []

    def counting(points):
        calls.append(int(points["seed"][0]))
        return noisy_grid(points)

    again = run_sweep(sweep, counting, store=tmp_path / "s", executor="serial", progress=False)
    assert len(calls) == 2 and again.stats["chunks_reused"] == sweep.n_chunks - 2
    for k in full.data:
        np.testing.assert_array_equal(again[k], full[k])


def test_store_of_another_sweep_is_refused(tmp_path):
    run_sweep(_sweep(), noisy_grid, store=tmp_path / "s", executor="serial", progress=False)
    with pytest.raises(ValueError, match="different sweep"):
        run_sweep(_sweep(seeds=(0, 2)), noisy_grid, store=tmp_path / "s", executor="serial",
                  progress=False)


def test_kill_midway_then_resume_gives_identical_result(tmp_path):
    """A sweep killed with SIGKILL midway resumes from its chunk files, bit for bit."""
    store, log = tmp_path / "store", tmp_path / "calls.log"
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {HERE!r})
        from _sweep_funcs import slow_noisy_grid
        from test_sweep import _sweep
        from validation.sweep import run_sweep
        run_sweep(_sweep(chunk_size=2), slow_noisy_grid, store={str(store)!r},
                  executor="serial", progress=False)
    """))
    env = dict(os.environ, SWEEP_TEST_LOG=str(log), SWEEP_TEST_SLEEP="0.4")
    proc = subprocess.Popen([sys.executable, str(script)], env=env)
    sweep = _sweep(chunk_size=2)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            done = [f for f in os.listdir(store)] if store.exists() else []
            if sum(f.startswith("chunk_") for f in done) >= 3:
                break
            assert proc.poll() is None, "the sweep finished before it could be killed"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    written = sorted(f for f in os.listdir(store) if f.startswith("chunk_"))
    assert 3 <= len(written) < sweep.n_chunks
    calls_before = log.read_text().count("\n")
    resumed = run_sweep(sweep, noisy_grid, store=store, executor="serial", progress=False)
    assert resumed.stats["chunks_reused"] == len(written)
    assert resumed.stats["chunks_computed"] == sweep.n_chunks - len(written)
    assert calls_before <= len(written) + 1          # at most one chunk was in flight
    fresh = run_sweep(sweep, noisy_grid, executor="serial", progress=False)
    for k in fresh.data:
        np.testing.assert_array_equal(resumed[k], fresh[k])


# ----------------------------------------------------------------------------- Dask
def test_dask_local_cluster_matches_local_path(tmp_path):
    """The Dask path (a LocalCluster, as ``--scheduler ADDRESS`` would) gives the same arrays."""
    distributed = pytest.importorskip("distributed")  # optional extra [distributed]
    sweep = _sweep(chunk_size=4)
    ref = run_sweep(sweep, noisy_grid, executor="threads", max_workers=2, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster:
        res = run_sweep(sweep, noisy_grid, scheduler=cluster.scheduler_address,
                        store=tmp_path / "dask", progress=False)
    assert res.stats["executor"].startswith("dask")
    for k in ref.data:
        np.testing.assert_array_equal(res[k], ref[k])


def test_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("distributed")
    with pytest.raises(ValueError, match="cannot connect"):
        make_executor(scheduler="tcp://127.0.0.1:9", connect_timeout=1)


def test_progress_bar_goes_to_stderr_only_when_asked(capsys):
    run_sweep(_sweep(), noisy_grid, executor="serial", progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "sweep" in err and "24/24" in err
    run_sweep(_sweep(), noisy_grid, executor="serial", progress=False)
    assert capsys.readouterr() == ("", "")


def test_unguarded_script_with_processes_gets_a_clear_error(tmp_path):
    """Spawned workers re-import an unguarded main module: say so instead of BrokenProcessPool."""
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {HERE!r})
        from _sweep_funcs import noisy_grid
        from test_sweep import _sweep
        from validation.sweep import run_sweep
        run_sweep(_sweep(), noisy_grid, executor="processes", max_workers=2, progress=False)
    """))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode != 0
    assert 'if __name__ == "__main__":' in proc.stderr
