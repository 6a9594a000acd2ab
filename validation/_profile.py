"""Choosing a figure job's profile: ``profile=NAME`` or the older ``quick=True/False``."""

from __future__ import annotations

__all__ = ["resolve_profile"]


def resolve_profile(profile, quick: bool, profiles) -> str:
    """The profile name to run: ``profile`` if given, else ``"quick"`` or ``"full"``.

    Parameters
    ----------
    profile : str or None
        A key of ``profiles`` (e.g. ``"standard"``, the reproduction's default).
    quick : bool
        Used when ``profile`` is None.
    profiles : mapping
        The job's profile table.

    Raises
    ------
    ValueError
        If ``profile`` is not a key of ``profiles``.

    Examples
    --------
    >>> from validation._profile import resolve_profile
    >>> table = {"quick": {}, "standard": {}, "full": {}}
    >>> resolve_profile(None, True, table), resolve_profile("standard", True, table)
    ('quick', 'standard')
    """
    name = profile if profile is not None else ("quick" if quick else "full")
    if name not in profiles:
        raise ValueError(f"profile must be one of {', '.join(profiles)}, got {name!r}")
    return name
