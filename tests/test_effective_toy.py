"""The batched numpy toy model: exact gradients, exact optimisers, batch invariance."""

import numpy as np
import pytest

from theory.effective import classify_phase
from validation.effective import RunBatch, ToyConfig, make_batch, train_toy
from validation.effective.toy import _Chunk


def _chunk(loss="mse", d_in=1, train_size=(6, 9), width=7, p=5):
    cfg = ToyConfig(p=p, d_in=d_in, width=width, out_dim=4, loss=loss, dtype="float64",
                    steps=1)
    batch = make_batch([3], train_size=list(train_size), decoder_wd=0.0)
    return _Chunk(cfg, batch, np.arange(len(batch)), int(batch.train_size.max())), cfg


def _train_loss(chunk):
    chunk.forward()
    return chunk.metrics()["train_loss"]                          # one loss per run


@pytest.mark.parametrize("loss, d_in", [("mse", 1), ("ce", 1), ("mse", 2)])
def test_backprop_equals_finite_differences(loss, d_in):
    chunk, cfg = _chunk(loss, d_in)
    chunk.forward()
    grads = [g.copy() for g in chunk.backward()]
    rng = np.random.default_rng(0)
    for param, grad in zip([chunk.E] + chunk.params, grads):
        for _ in range(6):
            idx = tuple(rng.integers(0, s) for s in param.shape)
            run = idx[0]
            old = param[idx]
            h = 1e-6
            param[idx] = old + h
            up = _train_loss(chunk)[run]
            param[idx] = old - h
            down = _train_loss(chunk)[run]
            param[idx] = old
            fd = (up - down) / (2 * h)
            # central differences in float64: truncation ~h^2 and round-off ~1e-16/h = 1e-10
            assert grad[idx] == pytest.approx(fd, rel=1e-6, abs=1e-9)


def test_adamw_step_equals_hand_computed_step():
    chunk, _ = _chunk()
    lr_dec, wd = 1e-2, 0.5
    chunk.lr[:] = [1e-3, lr_dec]                  # per run: (embeddings, decoder)
    chunk.wd[:] = [0.0, wd]
    w = chunk.params[2]
    w0 = w[0, 1, 2]
    g1, g2 = 0.3, -0.1
    chunk.grad[:] = 0
    chunk.grads[3][0, 1, 2] = g1
    chunk.adam_step(1)
    # by hand: decay, then m1 = 0.1 g1, v1 = 0.001 g1^2, m_hat = g1, v_hat = g1^2
    w1 = w0 * (1 - lr_dec * wd) - lr_dec * g1 / (abs(g1) + 1e-8)
    assert w[0, 1, 2] == pytest.approx(w1, rel=1e-14)
    chunk.grad[:] = 0
    chunk.grads[3][0, 1, 2] = g2
    chunk.adam_step(2)
    m2 = 0.9 * 0.1 * g1 + 0.1 * g2
    v2 = 0.999 * 0.001 * g1**2 + 0.001 * g2**2
    m_hat, v_hat = m2 / (1 - 0.9**2), v2 / (1 - 0.999**2)
    w2 = w1 * (1 - lr_dec * wd) - lr_dec * m_hat / (np.sqrt(v_hat) + 1e-8)
    assert w[0, 1, 2] == pytest.approx(w2, rel=1e-14)
    # an entry with zero gradient only decays; embeddings (wd 0) do not move at all
    assert w[0, 0, 0] == pytest.approx(chunk.params[2][0, 0, 0])
    e_before = chunk.E.copy()
    chunk.grad[:] = 0
    chunk.adam_step(3)
    assert np.array_equal(chunk.E, e_before)


@pytest.mark.parametrize("dtype, rel", [("float64", 1e-12), ("float32", 2e-5)])
def test_fused_adamw_equals_textbook_adamw(dtype, rel):
    """Ten steps of the fused kernel vs PyTorch's formula written the textbook way."""
    from validation._optim import adamw_step, adamw_update

    rng = np.random.default_rng(1)
    runs, b1, b2, eps = 3, 0.9, 0.98, 1e-6
    lr = np.array([1e-2, 3e-3, 1e-1])
    wd = np.array([0.0, 0.3, 2.0])
    theta0 = rng.standard_normal((runs, 4, 5))
    flat = theta0.reshape(runs, -1).astype(dtype)
    listed = [theta0[:, :2].astype(dtype), theta0[:, 2:].astype(dtype)]      # two arrays
    m_f, v_f = np.zeros_like(flat), np.zeros_like(flat)
    m_l = [np.zeros_like(a) for a in listed]
    v_l = [np.zeros_like(a) for a in listed]
    ref, m, v = theta0.copy(), np.zeros_like(theta0), np.zeros_like(theta0)
    lr3, wd3 = lr[:, None, None], wd[:, None, None]
    for t in range(1, 11):
        g = rng.standard_normal(theta0.shape) * 10.0 ** rng.integers(-3, 2)
        ref *= 1 - lr3 * wd3
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        ref -= lr3 * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        adamw_update(flat, g.reshape(runs, -1).astype(dtype), m_f, v_f, lr[:, None],
                     wd[:, None], np.array([0, 20]), t, (b1, b2), eps)
        adamw_step(listed, [g[:, :2].astype(dtype), g[:, 2:].astype(dtype)], m_l, v_l,
                   [lr3] * 2, [wd3] * 2, t, (b1, b2), eps)
    assert np.allclose(flat.reshape(theta0.shape), ref, rtol=rel, atol=rel)
    assert np.allclose(np.concatenate(listed, axis=1), ref, rtol=rel, atol=rel)


def test_adamw_rejects_non_contiguous_parameters():
    from validation._optim import adamw_step

    a = np.zeros((2, 4, 4))[:, :, :2]
    with pytest.raises(ValueError, match="contiguous"):
        adamw_step([a], [np.zeros_like(a)], [np.zeros_like(a)], [np.zeros_like(a)],
                   [np.ones(2)], [np.zeros(2)], 1, (0.9, 0.999), 1e-8)


def test_run_alone_equals_run_in_batch():
    cfg = ToyConfig(steps=300, width=24, dtype="float64", record_every=50)
    batch = RunBatch(seed=np.array([0, 1, 2, 3, 4]), train_size=np.array([45, 30, 45, 40, 45]),
                     repr_lr=np.array([1e-3, 2e-3, 1e-3, 1e-3, 5e-3]), repr_wd=np.zeros(5),
                     decoder_lr=np.array([1e-4, 1e-3, 3e-4, 1e-4, 1e-3]),
                     decoder_wd=np.array([0.0, 0.1, 0.0, 1.0, 0.0]))
    together = train_toy(cfg, batch, chunk_size=2, n_threads=2)
    for k in range(len(batch)):
        alone = train_toy(cfg, batch.subset([k]), n_threads=1)
        # same seed streams, same per-slice arithmetic: equal up to the summation order of
        # the zero-weighted padding rows (float64 round-off)
        assert np.allclose(alone.embedding[0], together.embedding[k], rtol=1e-10, atol=1e-12)
        assert np.allclose(alone.history["train_loss"][0], together.history["train_loss"][k],
                           rtol=1e-9)
        for key in ("iter_train", "iter_test", "iter_rqi"):
            assert getattr(alone, key)[0] == getattr(together, key)[k]
        assert alone.acc[0] == together.acc[k] and alone.rqi[0] == together.rqi[k]


def test_histories_and_thresholds_are_consistent():
    cfg = ToyConfig(steps=400, width=32, record_every=1, record_loss_curve=True)
    res = train_toy(cfg, make_batch([0, 1], repr_lr=1e-2, decoder_lr=1e-3))
    h = res.history
    assert h["step"].tolist() == list(range(401))
    assert np.allclose(res.loss_curve, h["train_loss"])
    for k in range(2):
        acc = h["train_acc"][k]
        first = np.flatnonzero(acc >= 0.9)
        assert res.iter_train[k] == (first[0] if first.size else -1)
        first = np.flatnonzero(h["rqi"][k] > 0.95)
        assert res.iter_rqi[k] == (first[0] if first.size else -1)
    assert np.allclose(res.train_acc, h["train_acc"][:, -1])
    assert np.all(res.loss_curve[:, -1] < 0.8 * res.loss_curve[:, 0])   # it does train (~0.4-0.65)


def test_divergence_is_reported_not_classified():
    cfg = ToyConfig(steps=5, width=8, label_scale=1e25)      # (1e25)^2 overflows float32
    res = train_toy(cfg, make_batch([0]))
    assert res.diverged[0] and res.diverged_step[0] == 0
    run = res.run(0)
    assert run["diverged"]
    assert classify_phase(run["iter_train"], run["iter_test"], diverged=run["diverged"])[
        "phase"] == "diverged"


def test_full_training_set_has_no_test_accuracy():
    res = train_toy(ToyConfig(steps=3, width=8), make_batch([0], train_size=55))
    assert np.isnan(res.test_acc[0]) and res.iter_test[0] == -1


def test_bad_input():
    with pytest.raises(ValueError, match="steps"):
        ToyConfig(steps=0)
    with pytest.raises(ValueError, match="train_acc_threshold"):
        ToyConfig(train_acc_threshold=1.2)
    with pytest.raises(ValueError, match="rqi_threshold"):
        ToyConfig(rqi_threshold=0)
    with pytest.raises(ValueError, match="p must"):
        ToyConfig(p=1)
    with pytest.raises(ValueError, match="loss"):
        ToyConfig(loss="hinge")
    with pytest.raises(ValueError, match="train_size"):
        train_toy(ToyConfig(steps=1, width=4), make_batch([0], train_size=56))
    with pytest.raises(ValueError, match="train_size"):
        make_batch([0], train_size=0)
    with pytest.raises(ValueError, match="decoder_lr"):
        make_batch([0], decoder_lr=-1.0)


@pytest.mark.slow
def test_toy_model_against_the_effective_theory():
    """The spec's validation targets on a 3 sizes x 8 seeds x 6000-step sweep (~35 s).

    Thresholds come from the measured full figure job (108 runs): mean |Acc - Acc_hat|
    0.005, RQI > 0.95 reached by 9/12 runs at r = 0.91 and 0 runs at r <= 0.47.  The
    bounds below leave room for seed-to-seed variation at 8 seeds but would fail if the
    predicted accuracy stopped tracking the network or the r-dependence vanished.
    """
    from validation.effective import fraction_sweep

    sweep = fraction_sweep([20, 30, 50], range(8), ToyConfig(steps=6000, record_every=100))
    r = sweep.result
    assert not r.diverged.any()
    assert np.mean(np.abs(r.acc - r.acc_hat)) < 0.03
    sizes = r.batch.train_size
    reached = {s: (r.iter_rqi[sizes == s] >= 0) for s in (20, 30, 50)}
    assert reached[20].sum() == 0                        # r = 0.36 < r_c: mostly not forced
    assert reached[50].sum() >= 4                        # most seeds at r = 0.91
    assert reached[50].sum() > reached[30].sum()
    fast = np.median(r.iter_rqi[(sizes == 50) & (r.iter_rqi >= 0)])
    if reached[30].any():                                # steps grow as r falls toward r_c
        assert np.median(r.iter_rqi[(sizes == 30) & (r.iter_rqi >= 0)]) > fast
    # the runs that reach the structure are the ones whose split forces it
    assert np.all(sweep.forced[r.iter_rqi >= 0])


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_head_metrics_equal_a_plain_numpy_evaluation(loss):
    """Losses and accuracies of the fused head vs numpy on the same network outputs."""
    chunk, cfg = _chunk(loss, train_size=(6, 9))
    chunk.forward()
    mt = chunk.metrics()
    out = chunk.outT.transpose(0, 2, 1)                       # (runs, samples, outputs)
    labels = chunk.labels
    if loss == "mse":
        target = np.take_along_axis(chunk.templates, labels[:, :, None], axis=1)
        per_sample = ((out - target) ** 2).mean(axis=2)
        dist = ((out[:, :, None, :] - chunk.templates[:, None, :, :]) ** 2).sum(axis=3)
        pred = dist.argmin(axis=2)
    else:
        logp = out - out.max(axis=2, keepdims=True)
        logp -= np.log(np.exp(logp).sum(axis=2, keepdims=True))
        per_sample = -np.take_along_axis(logp, labels[:, :, None], axis=2)[..., 0]
        pred = out.argmax(axis=2)
    correct = pred == labels
    for r, n in enumerate(chunk.n_train):
        assert mt["train_loss"][r] == pytest.approx(per_sample[r, :n].mean(), rel=1e-12)
        assert mt["test_loss"][r] == pytest.approx(per_sample[r, n:].mean(), rel=1e-12)
        assert mt["train_acc"][r] == correct[r, :n].mean()
        assert mt["test_acc"][r] == correct[r, n:].mean()
        assert mt["acc"][r] == correct[r].mean()
    assert 0 < correct.mean() < 1                            # some right, some wrong at init


def test_rqi_kernel_equals_theory_rqi():
    from theory.effective import ArithmeticTask, rqi
    from validation.effective._toy_kernels import rqi as rqi_kernel

    task = ArithmeticTask(10)
    rng = np.random.default_rng(4)
    line = (0.3 + 0.7 * np.arange(10.0))[:, None]
    emb = np.stack([line, line + rng.normal(0, 0.02, (10, 1)), line + rng.normal(0, 0.1, (10, 1)),
                    rng.uniform(-0.5, 0.5, (10, 1)), np.ones((10, 1))])      # last: std = 0
    got = rqi_kernel(emb.astype(np.float32), task.quads, 0.01)
    want = [rqi(e.astype(np.float32).astype(np.float64), task) for e in emb]
    assert got.tolist() == pytest.approx(want, abs=0)
    assert got[0] == 1.0 and 0 < got[2] < 1 and got[4] == 0.0
    two_d = rng.uniform(-0.5, 0.5, (3, 10, 2))
    assert rqi_kernel(two_d, task.quads, 0.01).tolist() == pytest.approx(
        [rqi(e, task) for e in two_d], abs=0)
