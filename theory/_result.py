"""One ``to_dict`` for every frozen result dataclass of the theory packages."""

from __future__ import annotations

from dataclasses import asdict, fields, is_dataclass

from theory._json import jsonable

__all__ = ["ResultMixin"]


def _plain(value):
    """Nested dataclasses as dicts (as :func:`dataclasses.asdict` does), containers walked."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class ResultMixin:
    """Mixin giving a dataclass a strict-JSON ``to_dict``.

    ``to_dict()`` returns ``jsonable({name: value})`` over the dataclass
    fields in declaration order (nested dataclasses become dicts, tuples and
    arrays lists, non-finite floats None; see :func:`theory._json.jsonable`).
    Two hooks cover the results that show something else:

    * ``_dict_fields``: the names (fields or properties) to show, in order;
    * ``_dict_extra()``: computed keys; a key also named in ``_dict_fields``
      takes that position, the others are appended.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from theory._result import ResultMixin
    >>> @dataclass(frozen=True)
    ... class Point(ResultMixin):
    ...     x: float
    ...     tags: tuple = ()
    ...     def _dict_extra(self):
    ...         return {"double": 2 * self.x}
    >>> Point(float("inf"), ("a",)).to_dict()
    {'x': None, 'tags': ['a'], 'double': None}
    """

    _dict_fields: tuple | None = None

    def _dict_extra(self) -> dict:
        return {}

    def to_dict(self) -> dict:
        """JSON-ready dictionary (snake_case keys; absent or infinite values are None)."""
        extra = self._dict_extra()
        names = (self._dict_fields if self._dict_fields is not None
                 else tuple(f.name for f in fields(self)))
        out = {k: extra[k] if k in extra else _plain(getattr(self, k)) for k in names}
        for k, v in extra.items():
            out.setdefault(k, v)
        return jsonable(out)
