"""A Plotly figure as plain dicts, and its JSON written straight from them.

``go.Figure`` is convenient, but each rerun pays for it twice: building it walks every
property, and ``fig.to_json()`` deep-copies the whole figure (animation frames included)
before encoding. A :class:`FigureSpec` keeps the dicts the builders made; :meth:`to_json`
encodes them the way plotly.py does (NumPy arrays as plotly.js typed arrays, ``bdata`` in
base64, the same keys left as plain lists, NaN and infinities as null) at a fraction of the
cost, and :meth:`figure` gives the ``go.Figure`` for everything else.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

#: plotly.js's names for the dtypes it reads as typed arrays.
_SHORT_TYPES = {
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
    "float32": "f4",
    "float64": "f8",
}
#: Keys whose arrays plotly.py leaves as lists (``_plotly_utils.utils.is_skipped_key``).
_PLAIN_KEYS = frozenset({"geojson", "layer", "layers", "range"})


@dataclass(frozen=True, eq=False)
class FigureSpec:
    data: list[dict]
    layout: dict
    frames: list[dict] | None = None

    def figure(self) -> go.Figure:
        """The ``go.Figure``, skipping plotly.py's per-property validation (tests validate
        the specs instead). ``go.Figure(frames=...)`` validates every frame even with
        ``_validate=False``, so unvalidated Frame objects are set directly."""
        fig = go.Figure(data=self.data, layout=self.layout, _validate=False)
        if self.frames:
            fig._frame_objs = tuple(go.Frame(frame, _validate=False) for frame in self.frames)
        return fig

    def to_json(self) -> str:
        """The figure's JSON, as ``self.figure().to_json()`` gives it."""
        obj: dict[str, Any] = {"data": _encode(self.data), "layout": _encode(self.layout)}
        if self.frames:
            obj["frames"] = _encode(self.frames)
        text = json.dumps(obj, separators=(",", ":"))
        if "NaN" in text or "Infinity" in text:  # JSON has no NaN: plotly.py writes null
            text = json.dumps(json.loads(text, parse_constant=lambda _: None))
        return text


def _typed_array(a: np.ndarray) -> Any:
    if a.size == 0:
        return a.tolist()
    if a.dtype == np.int64 or a.dtype == np.uint64:
        lo, hi = int(a.min()), int(a.max())
        for small in ("int8", "int16", "int32") if a.dtype == np.int64 else ("uint8", "uint16"):
            info = np.iinfo(small)
            if info.min <= lo and hi <= info.max:
                a = a.astype(small)
                break
        else:
            if a.dtype == np.uint64 and hi <= np.iinfo("uint32").max:
                a = a.astype("uint32")
            else:
                return a.tolist()
    short = _SHORT_TYPES.get(str(a.dtype))
    if short is None:
        return a.tolist()
    out = {"dtype": short, "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    if a.ndim > 1:
        out["shape"] = str(a.shape)[1:-1]
    return out


def json_ready(obj: Any) -> Any:
    """``obj`` with NumPy arrays as plotly.js typed arrays ({dtype, bdata, shape}): for data
    a browser-side view decodes itself."""
    return _encode(obj)


def _encode(obj: Any, plain: bool = False) -> Any:
    """A JSON-ready copy of ``obj``: arrays as typed arrays (plain lists under the keys
    plotly.py skips), NumPy scalars as Python numbers."""
    if isinstance(obj, dict):
        return {k: _encode(v, plain or k in _PLAIN_KEYS) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_encode(v, plain) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist() if plain else _typed_array(obj)
    if isinstance(obj, np.generic):
        value = obj.item()
        return None if isinstance(value, float) and not math.isfinite(value) else value
    return obj
