"""Will this run generalize?  The shipped early-curve model on the first steps of its loss.

A thin layer over :func:`validation.spectral.io.predict_curve_dict` (the same
``probability`` as ``grokking spectral score --model NAME``): it adds the
one-sentence ``summary``, the model card the answer rests on (corpus,
features, held-out metrics) and, for the combined model, the effective
theory's verdict on the user's training split.
"""

from __future__ import annotations

from validation.predict._common import stamp

__all__ = ["predict_curve"]

PAPER = "Notsawo et al. 2023, arXiv 2306.13253 (early prediction); this toolkit's shipped models"


def _model_card(model) -> dict:
    """What the model rests on: family, window, features, corpus and held-out metrics."""
    spec = model.spec
    return {"name": model.name, "version": model.version, "family": model.family,
            "window": model.window, "features": list(model.features),
            "split_features": list(model.split_features), "threshold": model.threshold,
            "corpus": spec.get("corpus"), "family_spec": spec.get("family"),
            "held_out": model.held_out()}


def _auroc_text(held_out: dict) -> str:
    auc = (held_out or {}).get("auroc")
    if isinstance(auc, dict) and "estimate" in auc:
        lo, hi = auc.get("low"), auc.get("high")
        ci = f" [{lo:.2f}, {hi:.2f}]" if lo is not None and hi is not None else ""
        return f"; held-out AUROC {auc['estimate']:.2f}{ci}"
    return ""


def _summary(out: dict, card: dict) -> str:
    budget = (card.get("family_spec") or {}).get("budget")
    within = f"within the {card['family']} family's {budget}-step budget" if budget else \
        f"within the {card['family']} family's budget"
    source = f"model {card['name']} v{card['version']}{_auroc_text(card['held_out'])}"
    if out["probability"] is None:
        why = "; ".join(out["warnings"]) or "the model cannot answer"
        return f"no confident answer ({source}): {why}"
    verdict = "will generalize" if out["prediction"] else "will not generalize"
    return (f"{verdict} {within}: P = {out['probability']:.2f} from the first "
            f"{out['window']} steps (threshold {out['threshold']:g}; {source})")


def _family_split(model, split):
    """``split`` as a TrainingSplit of the model family's task (a path is read)."""
    from theory.effective import ArithmeticTask, TrainingSplit
    from validation.predict.split_file import read_split

    fam = (model.spec.get("family") or {}).get("model") or {}
    task = ArithmeticTask(fam.get("p", 10), modular=fam.get("modular", False))
    if not isinstance(split, TrainingSplit):
        split = read_split(split, task)
    if split.task != task:
        raise ValueError(f"the split is of p = {split.task.p} (modular={split.task.modular}); "
                         f"model {model.name!r} was fitted on p = {task.p} "
                         f"(modular={task.modular})")
    return split


def predict_curve(path, *, model="toy", column: str = "train_loss", split=None,
                  repr_lr: float = 1e-3) -> dict:
    """The early-curve model's probability that the run of ``path`` generalizes.

    Parameters
    ----------
    path : str or os.PathLike
        The curve: a CSV with ``step`` and ``column`` (strided steps are
        resampled, and the answer says so), or a TensorBoard event file.
    model : str or os.PathLike
        A shipped model name (``toy``, ``modular``, ``toy_split``) or a model file.
    column : str
        The training-loss column (or TensorBoard tag).
    split : theory.effective.TrainingSplit or path, optional
        The run's training split (or a split file, :func:`read_split`, read
        with the model family's task), for a model that combines the curve
        with the effective theory's verdict on it (``toy_split``).
    repr_lr : float
        The embedding learning rate of the run (for the split's ``n_h``).

    Returns
    -------
    dict
        ``probability`` (null when the model cannot answer confidently, the
        reasons in ``warnings``), ``prediction``, ``generalizes`` (the same),
        ``groks`` (null: the model predicts generalization, not its delay),
        ``evidence`` (features and their log-odds contributions), ``model_card``,
        ``summary`` and ``config``.
    """
    from theory.spectral import load_model
    from validation.spectral.io import predict_curve_dict

    m = load_model(model)
    split_feats = None
    if m.split_features:
        if split is None:
            raise ValueError(f"model {m.name!r} combines the curve with the run's training "
                             f"split ({', '.join(m.split_features)}): give the split "
                             f"(--split FILE)")
        from validation.spectral.combined import split_features

        split_feats = split_features(_family_split(m, split), eta=repr_lr)
    elif split is not None:
        raise ValueError(f"model {m.name!r} uses the curve only; drop the split or use a "
                         f"model with split features (toy_split)")
    out = predict_curve_dict(path, model=m, column=column, split=split_feats)
    card = _model_card(m)
    answer_config = out.pop("config")
    out.pop("held_out", None)
    out.update(
        generalizes=out["prediction"],
        groks=None,
        groks_reason=("the early-curve model predicts whether the run generalizes within its "
                      "budget (comprehension or grokking), not whether generalization is "
                      "delayed; see generalizes"),
        model_card=card)
    out["summary"] = _summary(out, card)
    out["evidence"] = {"method": f"early-curve logistic model {m.name!r} (family "
                                 f"{m.family!r}) on the first {m.window} steps",
                       "features": out["evidence"], "split": split_feats, "simulation": None}
    out["config"] = stamp("curve", "spectral", PAPER, {
        "curve": str(path), "model": str(model), "column": column,
        "split": None if split is None else (str(split) if not hasattr(split, "train")
                                             else "given"),
        "repr_lr": repr_lr if split_feats else None}, answer=answer_config)
    return out
