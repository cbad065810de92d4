"""Property tests (hypothesis): rounding as by hand, the rounded trace's limit, gradient
checks, names and values."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal

import numpy as np
from hypothesis import assume, example, given, settings
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
from expnet.trace import affine_as_by_hand, round_as_by_hand

from .strategies import problem_dicts

decimals = st.integers(0, 12)


def by_hand(v: float, k: int) -> float:
    """Rounding as a person does it, written out here: the decimal the float prints as,
    rounded half away from zero (decimal's ROUND_HALF_UP) to k places."""
    if not math.isfinite(v):
        return v
    wide = Context(prec=400)  # a float has up to 309 digits before the point
    exact = Decimal(repr(float(v))).quantize(Decimal(10) ** -k, ROUND_HALF_UP, wide)
    return float(exact)


@st.composite
def value_and_decimals(draw: st.DrawFn) -> tuple[float, int]:
    k = draw(decimals)
    bound = min(1e6, 1e15 / 10.0**k)
    return draw(st.floats(-bound, bound, allow_nan=False)), k


@st.composite
def decimal_half(draw: st.DrawFn) -> tuple[float, int]:
    """A number whose decimal form ends in a 5 just past the k-th place: 0.3655 for k = 3."""
    k = draw(decimals)
    digits = draw(st.integers(-(10**9), 10**9))
    return float(f"{digits}5e-{k + 1}"), k


@given(vk=value_and_decimals())
def test_rounding_is_idempotent_and_close(vk) -> None:
    v, k = vk
    r = float(round_as_by_hand(np.float64(v), k))
    assert float(round_as_by_hand(np.float64(r), k)) == r
    # Within half a unit of the k-th decimal, plus the float spacing of the values involved.
    assert abs(r - v) <= 0.5 * 10.0**-k + 4 * math.ulp(max(abs(v), abs(r)))
    # And r is a whole number of 10^-k units.
    scaled = r * 10.0**k
    assert abs(scaled - round(scaled)) <= 4 * math.ulp(scaled)


@given(vk=value_and_decimals())
def test_rounding_is_symmetric(vk) -> None:
    v, k = vk
    assert float(round_as_by_hand(np.float64(-v), k)) == -float(round_as_by_hand(np.float64(v), k))


@settings(max_examples=300)
@given(
    vk=st.one_of(
        decimal_half(),
        value_and_decimals(),
        st.tuples(st.floats(allow_nan=True, allow_infinity=True), decimals),
    ),
    size=st.sampled_from([1, 3, 40]),
)
def test_rounding_is_the_decimal_rounding_a_person_does(vk, size: int) -> None:
    # One number, a few (a Python loop) or many (NumPy): always the decimal rounding.
    v, k = vk
    values = np.linspace(v, v, size) if math.isfinite(v) else np.full(size, v)
    values[size // 2 :] *= -1.0
    got = round_as_by_hand(values, k)
    want = [by_hand(x, k) for x in values.tolist()]
    np.testing.assert_array_equal(got, want)
    assert float(round_as_by_hand(np.float64(v), k)) == by_hand(v, k) or math.isnan(v)


def test_rounding_goes_half_away_from_zero() -> None:
    # Exact binary halves, to whole numbers and to 2 decimals (np.round would go to even).
    values = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 0.125, -0.375, 0.0])
    np.testing.assert_array_equal(round_as_by_hand(values, 0), [1, 2, 3, -1, -3, 0, 0, 0])
    np.testing.assert_array_equal(round_as_by_hand(values[5:7], 2), [0.13, -0.38])
    # Decimal halves that binary floating point stores just below the half: 0.3655 is
    # 0.36549999…, 2.675 is 2.67499999…, 1.005 is 1.00499999…; by hand they go up.
    np.testing.assert_array_equal(
        round_as_by_hand(np.array([0.3655, -1.0225, 0.0005, -0.0005]), 3),
        [0.366, -1.023, 0.001, -0.001],
    )
    np.testing.assert_array_equal(
        round_as_by_hand(np.array([2.675, 1.005, -8.345]), 2), [2.68, 1.01, -8.35]
    )
    # The seed's own roundings: σ(2) = 0.88079… → 0.881, e^-1.265 = 0.28224… → 0.282.
    assert round_as_by_hand(np.float64(1 / (1 + math.exp(-2))), 3) == 0.881
    assert round_as_by_hand(np.float64(math.exp(-1.265)), 3) == 0.282
    # Not a number, infinities and −0 pass through.
    out = round_as_by_hand(np.array([np.nan, np.inf, -np.inf, -0.0]), 3)
    assert np.isnan(out[0]) and list(out[1:]) == [np.inf, -np.inf, 0.0]


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


@st.composite
def written_affine(draw: st.DrawFn) -> tuple[list[list[float]], list[float], list[float], int]:
    """W and b in halves, a with k decimals (the exercises' kind of numbers): W a + b often
    ends in a 5 just past the k-th decimal, and binary sums often land just below it."""
    n, m, k = draw(st.integers(1, 8)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    halves = st.integers(-12, 12).map(lambda v: v / 2)
    written = st.integers(-(10**k), 10**k).map(lambda v: v / 10**k)
    W = [[draw(halves) for _ in range(n)] for _ in range(m)]
    return W, [draw(written) for _ in range(n)], [draw(halves) for _ in range(m)], k


@settings(max_examples=300)
@given(wabk=written_affine())
@example(wabk=([[3.0, 2.5]], [0.731, 0.269], [-2.5], 3))  # 0.3655, stored as 0.36549999…
def test_affine_as_by_hand_is_the_decimal_sum_rounded(wabk) -> None:
    W, a, b, k = wabk
    wide = Context(prec=400)
    want = [
        float(
            (
                Decimal(repr(b_j))
                + sum(Decimal(repr(w)) * Decimal(repr(x)) for w, x in zip(row, a, strict=True))
            ).quantize(Decimal(10) ** -k, ROUND_HALF_UP, wide)
        )
        for row, b_j in zip(W, b, strict=True)
    ]
    got = affine_as_by_hand(np.array(W), np.array(a), np.array(b), k)
    assert got.tolist() == want
