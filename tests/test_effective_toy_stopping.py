"""Early stopping with batch compaction: a stopped run is the uncensored run cut at its stop."""

import numpy as np
import pytest

from theory.effective.representation import predicted_accuracy
from validation.effective import RunBatch, ToyConfig, train_toy

# seeds x sizes x learning rates chosen (by a 400-step trial at width 32) so that six runs
# decide their phase between steps 96 and 273, i.e. inside the 2nd and 3rd re-balancing
# segments, and two (rows 4 and 5) reach neither threshold pair within the budget
_BATCH = RunBatch(seed=np.array([0, 1, 2, 2, 3, 1, 0, 1]),
                  train_size=np.array([45, 45, 50, 45, 45, 50, 50, 50]),
                  repr_lr=np.array([3e-2, 3e-2, 3e-2, 3e-2, 1e-2, 3e-2, 3e-2, 1e-2]),
                  repr_wd=np.zeros(8),
                  decoder_lr=np.array([1e-2, 1e-2, 1e-2, 1e-2, 1e-2, 3e-3, 1e-2, 1e-2]),
                  decoder_wd=np.zeros(8))
_CFG = dict(steps=400, width=32, dtype="float64", record_every=1, record_loss_curve=True)


@pytest.fixture(scope="module")
def pair():
    free = train_toy(ToyConfig(**_CFG), _BATCH, chunk_size=2, n_threads=2)
    calls = []
    stopped = train_toy(ToyConfig(**_CFG, stop_when_decided=True), _BATCH, chunk_size=2,
                        n_threads=2, progress=calls.append)
    return free, stopped, calls


def test_stop_step_is_where_the_phase_is_decided(pair):
    free, stopped, _ = pair
    decided = (free.iter_train >= 0) & (free.iter_test >= 0)
    assert decided.sum() == 6 and not decided[4] and not decided[5]    # the batch is as designed
    expect = np.where(decided, np.maximum(free.iter_train, free.iter_test), 400)
    assert stopped.stop_step.tolist() == expect.tolist()
    assert np.array_equal(stopped.iter_train, free.iter_train)
    assert np.array_equal(stopped.iter_test, free.iter_test)
    # RQI is censored at the stop: reached before it, the same step; after it, "not seen" (-1)
    seen = (free.iter_rqi >= 0) & (free.iter_rqi <= stopped.stop_step)
    assert np.array_equal(stopped.iter_rqi, np.where(seen, free.iter_rqi, -1))
    assert stopped.timing["run_steps"] == expect.sum()


def test_final_numbers_are_the_uncensored_run_at_its_stop(pair):
    # the runs stop while others in their chunk go on and the chunks are re-cut at steps
    # 200 and 300: each run still computes on its own slices with the same padded length,
    # so its numbers are bit-for-bit those of the run trained without stopping
    free, stopped, _ = pair
    h, hs = free.history, stopped.history
    for k, s in enumerate(stopped.stop_step):
        assert stopped.train_acc[k] == h["train_acc"][k, s]
        assert stopped.test_acc[k] == h["test_acc"][k, s]
        assert stopped.rqi[k] == h["rqi"][k, s]
        assert np.array_equal(stopped.embedding[k], h["embedding"][k, s])
        assert np.array_equal(stopped.loss_curve[k, :s + 1], free.loss_curve[k, :s + 1])
        assert np.all(np.isnan(stopped.loss_curve[k, s + 1:]))
        for key in ("train_loss", "test_acc", "rqi"):
            assert np.array_equal(hs[key][k, :s + 1], h[key][k, :s + 1])
            assert np.all(np.isnan(hs[key][k, s + 1:]))
        assert np.all(np.isnan(hs["embedding"][k, s + 1:]))
        split = free.train_sets[k]
        from theory.effective.task import TrainingSplit
        want = predicted_accuracy(h["embedding"][k, s].astype(np.float64),
                                  TrainingSplit(free.config.task, split), delta=0.01)
        assert (stopped.acc_hat[k], stopped.acc_hat_test[k]) == pytest.approx(want, abs=0)
    live = stopped.stop_step == 400
    assert np.array_equal(stopped.acc[live], free.acc[live])


def test_progress_counts_the_whole_budget(pair):
    *_, calls = pair
    assert sum(calls) == len(_BATCH) * 400


def test_stopped_run_alone_equals_run_in_compacted_batch(pair):
    _, stopped, _ = pair
    cfg = ToyConfig(**_CFG, stop_when_decided=True)
    for k in (3, 5):                          # one that stops (step 178), one that never does
        alone = train_toy(cfg, _BATCH.subset([k]), n_threads=1)
        assert alone.stop_step[0] == stopped.stop_step[k]
        for key in ("iter_train", "iter_test", "iter_rqi"):
            assert getattr(alone, key)[0] == getattr(stopped, key)[k]
        # alone the padded training length is its own (45 vs 50 in the batch): equal up to
        # the summation order of zero-weighted rows (float64 round-off)
        assert np.allclose(alone.embedding[0], stopped.embedding[k], rtol=1e-10, atol=1e-12)


def test_diverged_runs_stop_at_once():
    cfg = ToyConfig(steps=50, width=8, label_scale=1e25, stop_when_decided=True)
    res = train_toy(cfg, RunBatch(seed=np.arange(3), train_size=np.full(3, 45),
                                  repr_lr=np.full(3, 1e-3), repr_wd=np.zeros(3),
                                  decoder_lr=np.full(3, 1e-4), decoder_wd=np.zeros(3)))
    assert res.diverged.all() and res.stop_step.tolist() == [0, 0, 0]
    assert np.all(np.isnan(res.history["train_loss"][:, 1:]))


def test_stop_flag_is_checked():
    with pytest.raises(TypeError, match="stop_when_decided"):
        ToyConfig(stop_when_decided="yes")
