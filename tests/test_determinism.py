"""Every command, run twice with the same seeds, prints byte-identical JSON.

A registry names one invocation per verb; a test walks the real parser so that a
new verb without a case fails here.  Jobs that write directories are compared on
stdout and on every JSON file they write (figures' sidecars, reports, stores'
summaries); the output directory is removed between the two runs so the second
one recomputes instead of resuming.  The heavy jobs run in the slow tier.
"""

import json
import shutil

import pytest
from _cli_inputs import cli_verbs, write_cli_inputs

from grokking_cli import build_parser, main

# verb -> (arguments after the verb, slow); "{dir}" is the job's output directory,
# "{curve}" a toy learning curve and "{runs}" a labelled runs directory
CASES = {
    "ridge times": (["--n", "20", "--m", "200", "--lam", "1e-3", "--seeds", "3"], False),
    "ridge bounds": (["--n", "20", "--m", "200", "--lam", "1e-3", "--seeds", "2"], False),
    "ridge control": (["--n", "20", "--m", "200", "--lam", "1e-3", "--seeds", "2"], False),
    "ridge curves": (["--n", "20", "--m", "200", "--lam", "1e-3", "--points", "20"], False),
    "ridge figures": (["--out", "{dir}", "--quick", "--quiet"], True),
    "effective critical": (["--p", "6", "--train-sizes", "8,12", "--trials", "200"], False),
    "effective analyze": (["--train-size", "40", "--seed", "3"], False),
    "effective train": (["--seeds", "2", "--steps", "60", "--width", "16"], False),
    "effective figures": (["--out", "{dir}", "--quick", "--quiet"], True),
    "spectral score": (["{curve}", "--model", "toy"], False),
    "spectral calibrate": (["{runs}", "--window", "50", "--out", "{dir}/model.json"], False),
    "spectral corpus": (["--family", "modular", "--profile", "reduced", "--out", "{dir}",
                         "--quiet"], True),
    "spectral figures": (["--out", "{dir}", "--quick", "--quiet"], True),
    "kernel critical": ([], False),
    "kernel curve": (["--points", "5"], False),
    "kernel modular": ([], False),
    "kernel figures": (["--out", "{dir}", "--quick", "--quiet"], True),
    "predict ridge": (["--seeds", "2"], False),
    "predict toy": (["--train-size", "20"], False),
    "predict kernel": (["--sigma2", "0.15"], False),
    "predict curve": (["{curve}", "--model", "toy"], False),
    "phase-diagram toy": (["--x", "decoder-lr=1e-3,1e-2", "--y", "decoder-wd=0,5", "--steps",
                           "300", "--workers", "1", "--out", "{dir}", "--quiet"], False),
    "phase-diagram ridge": (["--x", "lam=1e-4:1e-2:3:log", "--y", "nu2=0.1:10:3:log",
                             "--workers", "1", "--out", "{dir}", "--quiet"], False),
    "phase-diagram kernel": (["--x", "sigma2=0.1:0.3:3", "--y", "n=1000:4000:3", "--workers",
                              "1", "--out", "{dir}", "--quiet"], False),
    "boundary ridge": (["--solve-for", "lam"], False),
    "all figures": (["--out", "{dir}", "--quick", "--quiet"], True),
    "reproduce": (["--out", "{dir}", "--quick", "--quiet"], True),
}


def test_every_verb_has_a_determinism_case():
    assert sorted(v for v, _ in cli_verbs(build_parser())) == sorted(CASES)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return write_cli_inputs(tmp_path_factory.mktemp("inputs"))


def _run_once(verb, args, out_dir, capsys):
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    code = main(verb.split() + args)
    out, err = capsys.readouterr()
    assert code == 0, err
    files = {str(p.relative_to(out_dir)): p.read_bytes()
             for p in sorted(out_dir.rglob("*.json"))}
    return out.encode(), files


def _cases(slow):
    marks = [pytest.mark.slow] if slow else []
    return [pytest.param(v, marks=marks, id=v.replace(" ", "-"))
            for v, (_, s) in CASES.items() if s == slow]


@pytest.mark.parametrize("verb", _cases(False) + _cases(True))
def test_same_seed_gives_byte_identical_json(verb, inputs, tmp_path, capsys):
    out_dir = tmp_path / "out"
    args = [a.format(dir=out_dir, **inputs) for a in CASES[verb][0]]
    first = _run_once(verb, args, out_dir, capsys)
    second = _run_once(verb, args, out_dir, capsys)
    assert first[0] == second[0], "stdout JSON differs between two identical runs"
    assert first[1].keys() == second[1].keys()
    for name in first[1]:
        assert first[1][name] == second[1][name], f"{name} differs between two identical runs"
    json.loads(first[0])
