"""The figures a page sent, as the browser gets them: the persistent Plotly component's spec,
a v2 component's figure or an st.plotly_chart's, with Plotly's typed arrays (base64) decoded
to NumPy."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest


def decode(node: Any) -> Any:
    """A Plotly spec with every typed array ({"dtype", "bdata", "shape"}) as a NumPy array."""
    if isinstance(node, dict):
        if {"dtype", "bdata"} <= set(node):
            arr = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            if "shape" in node:
                arr = arr.reshape([int(s) for s in str(node["shape"]).split(",")])
            return arr
        return {k: decode(v) for k, v in node.items()}
    if isinstance(node, list):
        return [decode(v) for v in node]
    return node


def figure(at: AppTest, key: str) -> dict:
    """The figure of the chart with widget key ``key`` (persistent component, a v2 component
    such as Train's data plot, or plotly_chart)."""
    for component in at.get("component_instance"):
        if component.proto.id.endswith(f"-{key}"):
            return decode(json.loads(json.loads(component.proto.json_args)["spec"]))  # type: ignore[no-any-return]
    for element in at.get("bidi_component"):  # a v2 component whose data holds a figure
        if element.proto.id.endswith(f"-{key}"):
            return decode(json.loads(element.proto.json)["figure"])  # type: ignore[no-any-return]
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return decode(json.loads(chart.proto.spec))  # type: ignore[no-any-return]
    raise AssertionError(f"no chart {key}")
