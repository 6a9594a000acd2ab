"""Machinery shared by the Langevin samplers of Model A and Model B (private).

Both samplers run unadjusted Langevin dynamics (Euler-Maruyama) on whitened
parameters, ``theta <- theta - h grad U + sqrt(2h) xi``, for ``K`` independent
chains at once:

* one random stream per chain (``SeedSequence(seed).spawn(K)``): the chain's
  initial state and its noise, so a chain's trajectory does not depend on how
  the chains are grouped or threaded;
* noise drawn in float64 whatever the arithmetic dtype (a float32 chain sees
  the same random numbers as its float64 twin);
* chains advanced in cache-sized blocks, each block through all its steps,
  blocks spread over worker threads while BLAS is held to one thread.

The model supplies only the gradient of its potential and what to record.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from theory._checks import check_nonnegative, check_positive_int
from validation._threads import single_threaded_blas

__all__ = ["BLOCK_ENTRIES", "check_schedule", "chain_streams", "prior_draws", "chain_blocks",
           "run_blocks", "euler_maruyama", "stack_records"]

#: Floats of the largest per-block work array (about 66 000: the activations of two
#: Model A chains at n = 375, N = 88, which stay in a 256 kB L2 cache in float32).
BLOCK_ENTRIES = 66_000


def check_schedule(chains, steps, burn_in, thin, workers, dtype):
    """Validate the sampler settings shared by both models; ``burn_in=None`` is ``steps // 2``.

    Returns ``(chains, steps, burn_in, thin, workers, numpy dtype)``.
    """
    chains = check_positive_int("chains", chains)
    steps = check_positive_int("steps", steps)
    thin = check_positive_int("thin", thin)
    workers = check_positive_int("workers", workers)
    burn_in = steps // 2 if burn_in is None else int(check_nonnegative("burn_in", burn_in))
    if burn_in >= steps:
        raise ValueError(f"burn_in must be < steps ({steps}), got {burn_in}")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    return chains, steps, burn_in, thin, workers, np.dtype(dtype)


def chain_streams(seed, chains: int) -> list:
    """One ``numpy.random.Generator`` per chain, from ``SeedSequence(seed).spawn(chains)``."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(chains)]


def prior_draws(rngs, shapes, dtype) -> list:
    """Standard-normal initial arrays: for each shape in turn, one draw per chain, stacked.

    The order (all chains for the first array, then all chains for the next)
    is part of the samplers' reproducibility contract.
    """
    return [np.stack([r.standard_normal(shape) for r in rngs]).astype(dtype) for shape in shapes]


def chain_blocks(chains: int, entries_per_chain: int, workers: int,
                 block_entries: int = BLOCK_ENTRIES) -> list:
    """Slices of chains advanced together.

    As many chains as fit ``block_entries`` floats of the largest work array
    (small problems amortise the per-step overhead over several chains), but
    never so many that a worker thread is left without a block.
    """
    block = max(1, min(block_entries // max(1, entries_per_chain), -(-chains // workers)))
    return [slice(lo, min(lo + block, chains)) for lo in range(0, chains, block)]


def run_blocks(run, groups, workers: int) -> list:
    """``[run(g) for g in groups]`` on up to ``workers`` threads, BLAS single-threaded.

    The products are small: a multi-threaded BLAS inside each thread
    oversubscribes the cores (a (94 x 27) @ (27 x 308) sgemm is 5x slower on
    two BLAS threads, 70x when another process competes).
    """
    with single_threaded_blas():
        if workers == 1 or len(groups) == 1:
            return [run(g) for g in groups]
        with ThreadPoolExecutor(min(workers, len(groups))) as pool:
            return list(pool.map(run, groups))


def stack_records(parts) -> dict:
    """Join the records of consecutive chain blocks along the chain axis (axis 1)."""
    return {key: np.concatenate([p[key] for p in parts], axis=1) for key in parts[0]}


def _per_chain(value, chains, ndim, dt):
    """A step-size factor broadcastable against a (chains, ...) array of ``ndim`` dims."""
    if np.ndim(value) == 0:
        return dt.type(value)
    return np.asarray(value, dtype=float).astype(dt).reshape((chains,) + (1,) * (ndim - 1))


def euler_maruyama(params, rngs, gradient, *, step, steps: int, burn_in: int, thin: int,
                   record) -> dict:
    """Advance the chains in ``params`` in place; return the recorded statistics.

    Parameters
    ----------
    params : list of ndarray
        Arrays of shape ``(K, ...)`` (``K`` chains), all of one float dtype;
        updated in place.
    rngs : list of numpy.random.Generator
        One per chain; each step draws, chain by chain, one standard normal
        array per parameter (in the order of ``params``), in float64.
    gradient : callable
        ``gradient(params) -> (grads, aux)``: ``grad U`` per parameter (fresh
        arrays, overwritten here) and anything ``record`` needs.
    step : float or array_like
        ``h``; a scalar, or one value per chain.
    steps, burn_in, thin : int
        Record after the update of step ``t`` when ``t >= burn_in`` and
        ``(t - burn_in) % thin == 0``.
    record : callable
        ``record(params, aux) -> dict`` of per-chain arrays with the chain on
        axis 0; ``aux`` is from the gradient evaluated at the start of the step.

    Returns
    -------
    dict
        ``key -> ndarray`` of shape ``(T, K, ...)``.

    Notes
    -----
    The update is ``g <- -h g; g <- g + sqrt(2h) xi; theta <- theta + g`` in
    the parameters' dtype.  Its stationary law differs from ``exp(-U)`` by
    O(h) (for a harmonic direction of curvature ``k``: variance
    ``1/(k (1 - h k/2))``); stability needs ``h k < 2`` for the stiffest ``k``.
    """
    dt = params[0].dtype
    K = params[0].shape[0]
    h = [_per_chain(step, K, p.ndim, dt) for p in params]
    noise = [_per_chain(np.sqrt(2.0 * np.asarray(step, dtype=float)), K, p.ndim, dt)
             if np.ndim(step) else dt.type(math.sqrt(2 * step)) for p in params]
    bufs = [np.empty(p.shape) for p in params]
    rec: dict = {}
    for t in range(steps):
        grads, aux = gradient(params)
        for k, rng in enumerate(rngs):
            for buf in bufs:
                rng.standard_normal(out=buf[k])
        for p, g, buf, hp, sp in zip(params, grads, bufs, h, noise):
            g *= -hp
            g += sp * buf.astype(dt, copy=False)
            p += g
        if t >= burn_in and (t - burn_in) % thin == 0:
            for key, val in record(params, aux).items():
                rec.setdefault(key, []).append(val)
    return {key: np.array(val) for key, val in rec.items()}
