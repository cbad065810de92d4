"""Rounding "as by hand" is decimal rounding, half away from zero, wherever a value is carried.

Reference values are hand calculations (quoted next to each check) or a decimal
re-computation written here with Python's ``decimal`` module; none comes from expnet.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import pytest

from expnet import problem_from_dict, trace, worked_solution
from expnet.teaching.exercises import make_exercise
from expnet.teaching.grading import grade_key
from expnet.teaching.sheets import answer_key

from .run import expnet

D = Decimal
K = 3  # the exercises carry 3 decimals


def r(v: Decimal) -> Decimal:
    """Round to 3 decimals as a person does: half away from zero."""
    return v.quantize(D("0.001"), rounding=ROUND_HALF_UP)


def dec(v: float) -> Decimal:
    return D(repr(float(v)))


def by_hand_answers(problem_dict: dict) -> dict[str, tuple[Decimal, Decimal | None]]:
    """The six answers of a 2-2-1 exercise (sigmoid, exp, ½(p − y)², y a symbol), worked in
    decimal: every z and a rounded to 3 decimals and carried on, the gradients the exact
    products of the rounded numbers (σ′ = a(1 − a), (e^z)′ = p, ∂J/∂p = p − y)."""
    (l1, l2) = problem_dict["layers"]
    x = [dec(v) for v in problem_dict["x"]]
    with localcontext() as ctx:
        ctx.prec = 50
        z1 = [
            r(dec(b) + sum(dec(w) * xi for w, xi in zip(row, x, strict=True)))
            for row, b in zip(l1["W"], l1["b"], strict=True)
        ]
        a1 = [r(1 / (1 + (-z).exp())) for z in z1]
        z2 = r(dec(l2["b"][0]) + sum(dec(w) * a for w, a in zip(l2["W"][0], a1, strict=True)))
        p = r(z2.exp())
        w2_11 = dec(l2["W"][0][0])
        slope = a1[0] * (1 - a1[0])
        return {
            "a1_1": (a1[0], None),
            "a1_2": (a1[1], None),
            "z2_1": (z2, None),
            "a2_1": (p, None),
            # (p − y)·p·a₁ = p²a₁ − p·a₁·y
            "grad:W2_11": (p * p * a1[0], -p * a1[0]),
            # (p − y)·p·W₁₁⁽²⁾·a₁(1 − a₁)·x₁
            "grad:W1_11": (p * p * w2_11 * slope * x[0], -p * w2_11 * slope * x[0]),
        }


def test_seed_2_negative_half_goes_away_from_zero() -> None:
    # By hand: z = 1 − 1.5·0.095 − 2·0.940 = 1 − 0.1425 − 1.88 = −1.0225 → −1.023.
    ex = make_exercise(2)
    assert ex.problem.to_dict()["layers"][1] == {
        "W": [[-1.5, -2.0]],
        "b": [1.0],
        "activation": "exp",
    }
    assert ex.answer("a1", by_hand=True).const == 0.095
    assert ex.answer("a2", by_hand=True).const == 0.94
    assert ex.answer("z", by_hand=True).const == -1.023
    # p = e^−1.023 = 0.35952… → 0.360
    assert ex.answer("p", by_hand=True).const == 0.36


def test_seed_34_half_goes_up_as_by_hand() -> None:
    # By hand: z = −2.5 + 3·0.731 + 2.5·0.269 = −2.5 + 2.193 + 0.6725 = 0.3655 → 0.366
    # (binary floating point gives 0.36549999999999994, which rounds to 0.365).
    ex = make_exercise(34)
    assert ex.problem.to_dict()["layers"][1] == {
        "W": [[3.0, 2.5]],
        "b": [-2.5],
        "activation": "exp",
    }
    assert ex.answer("a1", by_hand=True).const == 0.731
    assert ex.answer("a2", by_hand=True).const == 0.269
    assert ex.answer("z", by_hand=True).const == 0.366
    # p = e^0.366 = 1.44196 → 1.442
    assert ex.answer("p", by_hand=True).const == 1.442
    # ∂J/∂W₁₁⁽²⁾ = (p − y)·p·a₁ = 1.442²·0.731 − 1.442·0.731·y = 1.520015084 − 1.054102y
    w2 = ex.answer("W2_11", by_hand=True)
    np.testing.assert_allclose([w2.const, *w2.coefs], [1.520015084, -1.054102], rtol=1e-12)
    # ∂J/∂W₁₁⁽¹⁾ = (p − y)·p·3·0.731·0.269·1 = 1.226652172788 − 0.850660314y
    w1 = ex.answer("W1_11", by_hand=True)
    np.testing.assert_allclose([w1.const, *w1.coefs], [1.226652172788, -0.850660314], rtol=1e-12)


@pytest.mark.parametrize(
    ("short", "typed"),
    [
        ("z", "0.366"),
        ("p", "1.442"),
        ("W2_11", "1.520015 - 1.054102y"),
        ("W2_11", "1.5200 - 1.0541y"),
        ("W1_11", "1.226652 - 0.850660y"),
    ],
)
def test_grader_accepts_the_honest_chain_of_seed_34(short: str, typed: str) -> None:
    # A student who rounds 0.3655 up to 0.366 and carries it on is right all the way down.
    grade = make_exercise(34).grade_answer(short, typed)
    assert grade.correct, grade.message


def test_by_hand_answer_keys_of_200_variants_match_a_decimal_recomputation() -> None:
    checked = 0
    for seed in range(1, 201):
        ex = make_exercise(seed)
        want = by_hand_answers(ex.problem.to_dict())
        for q in ex.questions:
            got = ex.answer(q.key, by_hand=True)
            const, coef = want[q.key]
            if coef is None:
                # a carried value: the very float of the decimal, no tolerance
                assert got.const == float(const), (seed, q.key, got.const, const)
                assert got.coefs == ()
            else:
                # products of rounded numbers, computed in binary: equal to 1e-12
                np.testing.assert_allclose(
                    [got.const, *got.coefs], [float(const), float(coef)], rtol=1e-12, atol=1e-15
                )
            checked += 1
    assert checked == 200 * 6


def test_answer_key_documents_carry_the_decimal_rounding() -> None:
    ex = make_exercise(34)
    key = json.loads(answer_key(ex, "json"))
    assert key["answers"]["z2_1"]["by_hand"]["value"] == 0.366
    assert key["answers"]["a2_1"]["by_hand"]["value"] == 1.442
    assert key["solve_by_hand"]["forward"]["z"][1] == [0.366]
    hand_rows = [
        line for line in answer_key(ex, "markdown").splitlines() if line.startswith("| 3.")
    ]
    assert hand_rows and hand_rows[0].endswith("| $0.366$ |"), hand_rows
    latex = answer_key(ex, "latex")
    assert r"3. $z_{1}^{(2)}$ & $0.365529289$ & $0.366$ \\" in latex.splitlines()
    step = {s.key: s for s in ex.solution(by_hand=True).steps}
    assert step["z2_1"].value == 0.366 and step["z2_1"].value_text == "0.366"
    assert step["a2_1"].value == 1.442


# A network whose carried values meet exact decimal halves at every kind of place: an input
# (x₁ = 0.3655 → 0.366, and −0.366 through a weight of −1) and a pre-activation summed from
# written numbers (z = 0.366 + 0.0005 = 0.3665, on paper; binary arithmetic need not agree).
HALVES = {
    "inputs": 2,
    "layers": [
        {"W": [[1.0, 0.0], [-1.0, 0.0]], "b": [0.0, 0.0], "activation": "identity"},
        {"W": [[1.0, 0.0]], "b": [0.0005], "activation": "identity"},
    ],
    "loss": "half_squared_error",
    "x": [0.3655, 0.365],
    "y": [1.0],
}


def test_exact_halves_round_the_same_way_everywhere(tmp_path) -> None:
    problem = problem_from_dict(HALVES)
    tr = trace(problem, decimals=K)
    # x₁ = 0.3655 → 0.366; z₁ = 0.366, z₂ = −0.366 (half away from zero on both sides);
    # output z = 0.366 + 0.0005 = 0.3665 → 0.367.
    assert tr.a[0].tolist() == [0.366, 0.365]
    assert tr.z[0].tolist() == [0.366, -0.366]
    assert tr.z[1].tolist() == [0.367]
    steps = {s.key: s for s in worked_solution(tr).steps}
    assert (steps["z1_1"].value_text, steps["z1_2"].value_text) == ("0.366", "-0.366")
    assert steps["z2_1"].value_text == "0.367"
    # The command line carries the same numbers.
    path = tmp_path / "halves.json"
    path.write_text(json.dumps(HALVES))
    proc = expnet("solve", "--problem", str(path), "--round", "3")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["forward"]["z"] == [[0.366, -0.366], [0.367]]
    # And the grader takes the carried value as right with the rounding it was carried at.
    assert grade_key(problem, "z2_1", "0.367", by_hand=(K,)).correct
