"""Property tests (hypothesis): rounding as by hand, the rounded trace's limit, gradient
checks, names and values."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from expnet import (
    get_value,
    gradient_check,
    parameter_names,
    parse_name,
    problem_from_dict,
    problem_from_json,
    set_value,
    trace,
)
from expnet.network import MAX_ABS_VALUE
from expnet.trace import round_half_away

from .strategies import problem_dicts

# |v|·10^k stays below 2^53 / 8 so every scaled value is an exact float to well under 0.5.
decimals = st.integers(0, 12)


@st.composite
def value_and_decimals(draw: st.DrawFn) -> tuple[float, int]:
    k = draw(decimals)
    bound = min(1e6, 1e15 / 10.0**k)
    return draw(st.floats(-bound, bound, allow_nan=False)), k


@given(vk=value_and_decimals())
def test_rounding_is_idempotent_and_close(vk) -> None:
    v, k = vk
    r = float(round_half_away(np.float64(v), k))
    assert float(round_half_away(np.float64(r), k)) == r
    # Within half a unit of the k-th decimal, plus the float spacing of the values involved.
    assert abs(r - v) <= 0.5 * 10.0**-k + 4 * math.ulp(max(abs(v), abs(r)))
    # And r is a whole number of 10^-k units.
    scaled = r * 10.0**k
    assert abs(scaled - round(scaled)) <= 4 * math.ulp(scaled)


@given(vk=value_and_decimals())
def test_rounding_is_symmetric(vk) -> None:
    v, k = vk
    assert float(round_half_away(np.float64(-v), k)) == -float(round_half_away(np.float64(v), k))


def test_rounding_goes_half_away_from_zero() -> None:
    # As by hand (not to even, as np.round does): exact binary halves.
    values = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 0.125, -0.375, 0.0])
    np.testing.assert_array_equal(round_half_away(values, 0), [1, 2, 3, -1, -3, 0, 0, 0])
    np.testing.assert_array_equal(round_half_away(values[5:7], 2), [0.13, -0.38])
    # The seed's own roundings: σ(2) = 0.88079… → 0.881, e^-1.265 = 0.28224… → 0.282.
    assert round_half_away(np.float64(1 / (1 + math.exp(-2))), 3) == 0.881
    assert round_half_away(np.float64(math.exp(-1.265)), 3) == 0.282


@settings(max_examples=60)
@given(d=problem_dicts(), k=st.integers(1, 6))
def test_rounded_trace_rounds_every_forward_value(d: dict, k: int) -> None:
    tr = trace(problem_from_dict(d), decimals=k)
    for v in [*tr.z, *tr.a]:
        scaled = np.asarray(v) * 10.0**k
        np.testing.assert_allclose(scaled, np.round(scaled), rtol=0, atol=1e-6)


@settings(max_examples=60)
@given(d=problem_dicts())
def test_twelve_decimals_is_the_exact_trace(d: dict) -> None:
    problem = problem_from_dict(d)
    exact, rounded = trace(problem), trace(problem, decimals=12)
    assume(exact.ok)
    # Each rounding moves a value by at most 5e-13; through a few layers of moderate weights
    # the loss and gradients move by a small multiple of that.
    np.testing.assert_allclose(rounded.loss, exact.loss, rtol=1e-9, atol=1e-10)
    names = [n for n in parameter_names(problem) if not n.startswith("y")]
    scale = max(1.0, max(abs(exact.grad(n)) for n in names))
    np.testing.assert_allclose(
        [rounded.grad(n) for n in names],
        [exact.grad(n) for n in names],
        rtol=1e-8,
        atol=1e-9 * scale,
    )


@settings(max_examples=60)
@given(d=problem_dicts())
def test_gradient_check_passes_on_smooth_random_networks(d: dict) -> None:
    problem = problem_from_dict(d)
    J = trace(problem).loss
    # A centred difference with h = 1e-5 carries a rounding error of about eps·|J|/h
    # ≈ 2e-11·|J|: gradients smaller than that cannot be resolved, hence the floor.
    floor = 1e-9 * max(1.0, abs(J))
    for row in gradient_check(problem):
        assert row.rel_error < 1e-5 or abs(row.analytic - row.numeric) < floor, (row, J)


@settings(max_examples=60)
@given(
    d=problem_dicts(),
    pick=st.integers(0, 10_000),
    value=st.floats(-MAX_ABS_VALUE, MAX_ABS_VALUE, allow_nan=False),
)
def test_set_then_get_round_trips(d: dict, pick: int, value: float) -> None:
    problem = problem_from_dict(d)
    names = parameter_names(problem)
    name = names[pick % len(names)]
    changed = set_value(problem, name, value)
    assert get_value(changed, name) == value
    for other in names:
        if other != name:
            assert get_value(changed, other) == get_value(problem, other)
    # Every canonical name parses, and the JSON of the changed problem reads back equal.
    assert all(parse_name(problem, n) for n in names)
    assert problem_from_json(changed.to_json()) == changed


@settings(max_examples=60)
@given(d=problem_dicts())
def test_parameter_names_are_unique_and_count_everything(d: dict) -> None:
    problem = problem_from_dict(d)
    names = parameter_names(problem)
    assert len(names) == len(set(names))
    sizes = problem.sizes
    n_weights = sum(m * n + n for m, n in zip(sizes[:-1], sizes[1:], strict=True))
    assert len(names) == n_weights + sizes[0] + sizes[-1]
