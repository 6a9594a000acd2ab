"""The modular-addition run generator of the spectral corpus."""

import numpy as np
import pytest

from validation.spectral.modular import ModularConfig, _Runs, train_modular


def test_backprop_equals_finite_differences():
    cfg = ModularConfig(modulus=5, width=6, steps=1, dtype="float64")
    runs = _Runs(cfg, np.array([0, 1]), [1e-3, 1e-3], [0.0, 0.0], [0.4, 0.6])
    loss, _, _, grads = runs.forward_backward()
    rng = np.random.default_rng(0)
    for param, grad in zip(runs.params, grads):
        for _ in range(8):
            idx = tuple(rng.integers(0, s) for s in param.shape)
            old = param[idx]
            h = 1e-6
            param[idx] = old + h
            up = runs.forward_backward(False)[0][idx[0]]
            param[idx] = old - h
            down = runs.forward_backward(False)[0][idx[0]]
            param[idx] = old
            # ReLU kinks are measure-zero; central differences: error ~h^2 + 1e-16/h
            assert grad[idx] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-9)


def test_run_alone_equals_run_in_batch():
    cfg = ModularConfig(modulus=7, width=16, steps=40, dtype="float64")
    args = dict(seed=[0, 1, 2], lr=[1e-2, 3e-3, 1e-2], weight_decay=[1.0, 0.0, 0.3],
                train_fraction=[0.5, 0.7, 0.5])
    together = train_modular(cfg, **args, chunk_size=2, n_threads=2)
    for k in range(3):
        alone = train_modular(cfg, **{key: [v[k]] for key, v in args.items()}, n_threads=1)
        assert np.allclose(alone.train_loss[0], together.train_loss[k], rtol=1e-10)
        assert np.array_equal(alone.val_acc[0], together.val_acc[k])


def test_bad_input():
    with pytest.raises(ValueError, match="modulus"):
        ModularConfig(modulus=1)
    with pytest.raises(ValueError, match="train_fraction"):
        train_modular(ModularConfig(modulus=5, steps=1), train_fraction=[1.0])
    with pytest.raises(ValueError, match="equal lengths"):
        train_modular(ModularConfig(modulus=5, steps=1), seed=[0, 1])
