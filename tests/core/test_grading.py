"""Grading typed answers: parsing, the honest-rounding tolerance, and hints naming the mistake.

Homework numbers used in the hand calculations below (docs/design.md, "The homework network"):
p = e^z = 0.2822814757, z = -1.2648505651, a1 = 0.8807970780, a2 = 0.6224593312,
z1_1 = 2, z1_2 = 0.5, σ'(z1_1) = a1(1 - a1) = 0.1049935854, W2_11 = -3, W2_12 = -1,
x1 = 0.5, x2 = -0.5; the seed carries 3 decimals: a1 = 0.881, p = 0.282, σ' = 0.881·0.119.
"""

from __future__ import annotations

import math

import pytest

from expnet import (
    PRESETS,
    Affine,
    Grade,
    Mistake,
    get_preset,
    grade,
    grade_key,
    grade_step,
    parse_answer,
    trace,
    worked_solution,
)
from expnet.teaching.answers import AnswerError
from expnet.teaching.mistakes import step_mistakes
from expnet.teaching.quantities import quantity


@pytest.fixture(scope="module")
def homework():
    return get_preset("homework").problem


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "const", "coef"),
    [
        ("0.070060644 - 0.248442y", 0.070060644, -0.248442),
        ("-0.248442y + 0.070060644", 0.070060644, -0.248442),
        ("-0.248442*y+0.070060644", 0.070060644, -0.248442),
        ("0.0700606 - 0.248442y", 0.0700606, -0.248442),
        ("0.07 - 0.25 y", 0.07, -0.25),
        ("0.07 − 0.25·y", 0.07, -0.25),  # Unicode minus and middle dot
        ("0.07 - y*0.25", 0.07, -0.25),
        ("$0.07 - 0.25\\,y$", 0.07, -0.25),  # copied from LaTeX
        ("y - 0.282", -0.282, 1.0),
        ("-y", 0.0, -1.0),
        ("0,881", 0.881, 0.0),  # decimal comma
        ("1.2e-2", 0.012, 0.0),
        ("  .5 ", 0.5, 0.0),
    ],
)
def test_parse_affine_forms(text: str, const: float, coef: float) -> None:
    parsed = parse_answer(text)
    assert parsed.const == pytest.approx(const, abs=1e-15)
    assert parsed.coefs == (pytest.approx(coef, abs=1e-15),)


def test_parse_counts_decimals_per_part() -> None:
    parsed = parse_answer("-0.01250582 + 0.04434689y")
    assert parsed.const_decimals == 8
    assert parsed.coef_decimals == (8,)
    assert parse_answer("1.25e-2").const_decimals == 4
    assert parse_answer("2").const_decimals == 0
    # an implicit part has no decimals: no constant typed, or y alone (= 1·y)
    implicit = parse_answer("-y")
    assert implicit.const_decimals is None and implicit.coef_decimals == (None,)


def test_parse_several_targets() -> None:
    parsed = parse_answer("0.1 - 0.2y1 + 0.3 y_2", outputs=2)
    assert parsed.coefs == (pytest.approx(-0.2), pytest.approx(0.3))
    assert parse_answer("0.1 + y₂", outputs=2).coefs == (0.0, 1.0)
    with pytest.raises(AnswerError, match="y1"):
        parse_answer("0.1 - 0.2y", outputs=2)
    with pytest.raises(AnswerError, match="no target y3"):
        parse_answer("0.1 - 0.2y3", outputs=2)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "__import__('os').system('true')",
        "1/2",
        "0.88 0.1",
        "y y",
        "0.07 - 0.25y +",
        "0.1 * 0.2",
        "1e999",
        "nan",
        "inf",
        "0.1,5.2",
        "1.5,2",
        "(0.282 - y) * 0.282",
        "x" * 300,
        "- -0.5",  # one sign per term
        "0.1 + 0.2",  # each part once: not a sum
        "2y + 3y",
    ],
)
def test_parse_rejects_bad_input_with_a_message(text: str) -> None:
    with pytest.raises(AnswerError) as info:
        parse_answer(text)
    assert str(info.value)


@pytest.mark.parametrize("text", ["", "   ", "abc", "1/0", "eval('1')", "0.1 +", "1e999"])
def test_grade_never_raises_on_bad_input(homework, text: str) -> None:
    for key in ("a1_1", "grad:W1_11"):
        g = grade_key(homework, key, text)
        assert isinstance(g, Grade) and not g.correct
        assert g.message and g.hint is None


# ---------------------------------------------------------------- the seed's answers


@pytest.mark.parametrize(
    ("key", "typed"),
    [
        # the seed, as printed: "= -0.248442y + 0.070060644"
        ("grad:W2_11", "-0.248442y + 0.070060644"),
        ("grad:W2_11", "0.070060644 - 0.248442y"),
        # "= -0.01250582 + 0.04434689y" (the seed truncates 0.044346897)
        ("grad:W1_11", "-0.01250582 + 0.04434689y"),
        ("a1_1", "0.881"),  # "= 0.881"
        ("a1_2", "0.622"),  # "= 0.622"
        ("z2_1", "-1.265"),  # "= -1.265"
        ("a2_1", "0.282"),  # "= 0.282"
        ("z1_1", "2"),  # "= 2": exact, so no decimals needed
        ("z1_2", "0.5"),  # "= 0.5"
    ],
)
def test_seed_answers_are_correct(homework, key: str, typed: str) -> None:
    g = grade_key(homework, key, typed)
    assert g.correct, g.message


@pytest.mark.parametrize(
    ("key", "typed"),
    [
        ("a1_1", "0.88"),  # 0.8807970780 to 2 decimals
        ("a1_1", "0.8808"),
        ("a1_1", "0.8807"),  # truncated
        ("a1_1", "0,881"),
        ("a2_1", "0.2823"),
        ("grad:W2_11", "0.07 - 0.25 y"),  # 0.0701844 - 0.2486327y to 2 decimals
        ("grad:W2_11", "0.0702 - 0.2486y"),
        ("grad:W2_11", "-0.248632699*y+0.070184405"),  # docs/design.md's exact value
        ("grad:W1_11", "-0.0125 + 0.0445y"),
        ("grad:W1_11", "-0.01 + 0.04y"),  # 2 decimals, first significant digit shown
        ("grad:W1_11", "-0.012549279 + 0.044456616y"),
        ("grad:W1_11", "-0.0125 + 0.0444y"),  # between exact and as by hand (σ' = 0.105)
        ("dJ/dp1", "0.282 - y"),
        ("dJ/dp1", "-y + 0.2823"),
    ],
)
def test_honest_rounding_is_accepted(homework, key: str, typed: str) -> None:
    g = grade_key(homework, key, typed)
    assert g.correct, g.message


def test_too_few_decimals_is_not_accepted(homework) -> None:
    # "0.9" for a1 = 0.8808: agrees at 1 decimal, but 2 are required
    g = grade_key(homework, "a1_1", "0.9")
    assert not g.correct
    assert "decimals" in g.message
    # 0.0125...: "0.0" shows no significant digit
    g = grade_key(homework, "grad:W1_11", "-0.0 + 0.04y")
    assert not g.correct


@pytest.mark.parametrize(
    ("key", "typed"),
    [
        ("a1_1", "0.89"),  # neither rounds nor truncates from [0.8808, 0.881]
        ("a1_1", "0.87"),
        ("a2_1", "0.29"),
        ("grad:W2_11", "0.07 - 0.26y"),  # -0.2486 rounds to -0.25, truncates to -0.24
        # right: -0.0125058 (3 decimals carried) ... -0.0125507 (4 carried), so -0.0125 or
        # -0.0126 at 4 decimals; -0.0127 is neither
        ("grad:W1_11", "-0.0127 + 0.0445y"),
    ],
)
def test_wrong_answers_are_rejected(homework, key: str, typed: str) -> None:
    assert not grade_key(homework, key, typed).correct


def test_affine_answer_needs_y_and_number_has_none(homework) -> None:
    g = grade_key(homework, "grad:W2_11", "0.0702")
    assert not g.correct and "depends on y" in g.message
    g = grade_key(homework, "a1_1", "0.881y")
    assert not g.correct and "does not depend on y" in g.message


def test_message_says_which_part_is_wrong(homework) -> None:
    g = grade_key(homework, "grad:W2_11", "0.0702 - 0.3y")
    assert not g.correct
    assert "constant part is right" in g.message
    assert "coefficient of y" in g.message


# ---------------------------------------------------------------- hints


@pytest.mark.parametrize(
    ("key", "typed", "mistake"),
    [
        # sign: -(p - y)·p·W2_11·σ'·x1 = 0.0125493 - 0.0444566y
        ("grad:W1_11", "0.01255 - 0.04446y", "sign"),
        # missing σ' (the brief's example): (p - y)·p·W2_11·x1
        #   const p²·(-3)·0.5 = 0.0796829·(-1.5) = -0.1195; coef -p·(-1.5) = 0.4234
        ("grad:W1_11", "-0.1195 + 0.4234y", "missing_slope"),
        # the output's e^z forgotten (∂p/∂z = 1): (p - y)·W2_11·σ'·x1
        #   const 0.2822815·(-3)·0.1049936·0.5 = -0.04446; coef 3·0.1049936·0.5 = 0.15749
        ("grad:W1_11", "-0.04446 + 0.15749y", "output_slope_forgotten"),
        # a in place of z: σ'(a1) = σ(0.8808)(1 - σ(0.8808)) = 0.70700·0.29300 = 0.207151
        #   const 0.0796829·(-3)·0.207151·0.5 = -0.02476; coef 0.2822815·1.5·0.207151 = 0.08771
        ("grad:W1_11", "-0.02476 + 0.08771y", "slope_a_for_z"),
        # z in place of a: z(1 - z) = 2·(1 - 2) = -2
        #   const 0.0796829·(-3)·(-2)·0.5 = 0.2390; coef -0.2822815·(-3)·(-2)·0.5 = -0.8468
        ("grad:W1_11", "0.2390 - 0.8468y", "slope_z_for_a"),
        # W of the wrong unit: W2_12 = -1 in place of W2_11 = -3
        #   const 0.0796829·(-1)·0.1049936·0.5 = -0.004183; coef 0.2822815·0.5·0.1049936 = 0.014819
        ("grad:W1_11", "-0.004183 + 0.014819y", "wrong_weight"),
        # the ½ of J forgotten: 2(p - y)·... = -0.0251 + 0.0889y
        ("grad:W1_11", "-0.0251 + 0.0889y", "half_forgotten"),
        # rounding too early, 1 decimal carried: a1 = 0.9, a2 = 0.6, z = 2 - 2.7 - 0.6 = -1.3,
        #   p = e^-1.3 = 0.27 -> 0.3, σ' = 0.9·0.1 = 0.09:
        #   const 0.3·0.3·(-3)·0.09·0.5 = -0.01215; coef -0.3·(-3)·0.09·0.5 = 0.0405
        ("grad:W1_11", "-0.01215 + 0.0405y", "rounding_early"),
        # rounding too early, 2 decimals: a1 = 0.88, a2 = 0.62, z = 2 - 2.64 - 0.62 = -1.26,
        #   p = 0.2837 -> 0.28, σ' = 0.88·0.12 = 0.1056: const 0.28²·(-3)·0.1056·0.5 = -0.01241856
        #   (its coefficient 0.044352 happens to lie in the right range)
        ("grad:W1_11", "-0.01241856 + 0.044352y", "rounding_early"),
        # ∂J/∂W2_11 = (p - y)·p·a1; e^z forgotten: (p - y)·a1 = 0.2486 - 0.8808y
        ("grad:W2_11", "0.2486 - 0.8808y", "output_slope_forgotten"),
        # z in place of a for ∂z/∂W2_11: (p - y)·p·z1_1 = 0.0796829·2 - 0.2822815·2y
        ("grad:W2_11", "0.1594 - 0.5646y", "z_for_a"),
        # a in place of z in e^z: e^p = e^0.2822815 = 1.326152: (p - y)·1.326152·a1
        #   const 0.2822815·1.326152·0.8807971 = 0.3297; coef -1.326152·0.8807971 = -1.1681
        ("grad:W2_11", "0.3297 - 1.1681y", "slope_a_for_z"),
        # the wrong input: a2 = 0.6224593 in place of a1: 0.0796829·0.6224593 = 0.0496; -0.1757y
        ("grad:W2_11", "0.0496 - 0.1757y", "wrong_input"),
        # sign, y-part only typed with the wrong sign too: -(0.0701844 - 0.2486327y)
        ("grad:W2_11", "-0.0702 + 0.2486y", "sign"),
        # forward: a1 typed as z1_1 = 2 (σ forgotten)
        ("a1_1", "2", "z_for_a"),
        # a1 = σ(-2) = 1/(1 + e^2) = 0.1192: the exponent's sign
        ("a1_1", "0.119", "activation_sign"),
        # a1 typed as a2 = 0.622: the wrong unit
        ("a1_1", "0.622", "wrong_unit"),
        # p typed as z = -1.265: the output's e^z forgotten
        ("a2_1", "-1.265", "z_for_a"),
        # z of the output without its bias: -1.2648506 - 2 = -3.265
        ("z2_1", "-3.265", "missing_bias"),
        # z of the output from the hidden z's: 2 - 3·2 - 1·0.5 = -4.5 (z in place of a)
        ("z2_1", "-4.5", "z_for_a"),
        # z1_1 with the column of W1 (W of the wrong unit): 2 + 4·0.5 + 1·(-0.5) = 3.5
        ("z1_1", "3.5", "wrong_weight"),
        # ∂J/∂p typed as y - p
        ("dJ/dp1", "y - 0.282", "sign"),
    ],
)
def test_wrong_answer_gets_the_expected_hint(homework, key: str, typed: str, mistake: str) -> None:
    g = grade_key(homework, key, typed)
    assert not g.correct
    assert g.mistake == mistake, (g.message, g.hint)
    assert g.hint


def test_hint_names_the_factor(homework) -> None:
    g = grade_key(homework, "grad:W1_11", "-0.1195 + 0.4234y")
    assert "∂a₁⁽¹⁾/∂z₁⁽¹⁾" in (g.hint or "") and "σ′" in (g.hint or "")
    g = grade_key(homework, "grad:W1_11", "-0.004183 + 0.014819y")
    assert "W₁₂⁽²⁾" in (g.hint or "") and "W₁₁⁽²⁾" in (g.hint or "")


def test_unrecognised_wrong_answer_has_no_hint(homework) -> None:
    g = grade_key(homework, "grad:W1_11", "0.5 + 0.5y")
    assert not g.correct and g.hint is None and g.mistake is None


def test_mistakes_never_equal_the_right_answer(homework) -> None:
    exact = trace(homework)
    for key in ("grad:W2_11", "grad:W1_11", "a1_1", "z2_1", "a2_1"):
        right = quantity(exact, key)
        for m in step_mistakes(homework, key):
            assert not all(
                math.isclose(a, b, rel_tol=1e-9)
                for a, b in zip(m.values[0].parts, right.parts, strict=True)
            ), m.key


# ---------------------------------------------------------------- the generic grade()


def test_grade_with_explicit_values() -> None:
    mistakes = [Mistake("double", "twice", (Affine(2.0),))]
    assert grade(1.0, "1").correct
    assert grade(1.23456, "1.23").correct
    assert not grade(1.23456, "1.2").correct
    g = grade(1.0, "2.00", mistakes=mistakes)
    assert (g.correct, g.mistake, g.hint) == (False, "double", "twice")
    # accept: the right range runs from the expected value to each accepted one
    assert grade(0.8808, "0.8809", accept=[0.881]).correct
    assert grade((0.07, (-0.25,)), "0.07 - 0.25y").correct
    assert grade(Affine(0.1, (0.2, -0.3)), "0.1 + 0.2y1 - 0.3y2").correct


def test_mistake_with_too_few_decimals_gives_no_hint() -> None:
    mistakes = [Mistake("double", "twice", (Affine(2.04),))]
    g = grade(1.0, "2.0", mistakes=mistakes)
    assert not g.correct and g.mistake is None


# ---------------------------------------------------------------- predict-then-reveal


def _presets_and_traces():
    for name in PRESETS:
        for symbolic in (False, True):
            problem = get_preset(name).problem
            if symbolic:
                problem = problem.with_target(None)
            for decimals in (None, 3):
                yield f"{name}-{'y' if symbolic else 'num'}-{decimals}", trace(problem, decimals)


@pytest.mark.parametrize(("label", "tr"), list(_presets_and_traces()))
def test_every_step_shown_is_graded_correct(label: str, tr) -> None:
    for step in worked_solution(tr).steps:
        g = grade_step(step, step.value_text, tr)
        assert g.correct, (label, step.key, step.value_text, g.message)


@pytest.mark.parametrize(("label", "tr"), list(_presets_and_traces()))
def test_every_step_negated_is_wrong(label: str, tr) -> None:
    for step in worked_solution(tr).steps:
        value = Affine(step.value, tuple(step.y_coefs or ()))
        sizes = [abs(p) for p in value.parts if p != 0]
        if not sizes or min(sizes) < 1e-3:
            continue  # too small to tell from its negative at the decimals typed
        g = grade_step(step, value.scaled(-1.0).text, tr)
        assert not g.correct, (label, step.key)


def test_grade_step_homework_factors(homework) -> None:
    tr = trace(homework, 3)
    steps = {s.key: s for s in worked_solution(tr, ["W2_11", "W1_11"]).steps}
    sigma = steps["factor:∂a₁⁽¹⁾/∂z₁⁽¹⁾"]
    # the seed: "0.881 · (1 - 0.881)" = 0.104839
    assert grade_step(sigma, "0.104839", tr).correct
    assert grade_step(sigma, "0.105", tr).correct
    # σ' written as σ: a1 = 0.881
    assert grade_step(sigma, "0.881", tr).mistake == "slope_is_activation"
    # z(1 - z) = 2·(1 - 2) = -2
    assert grade_step(sigma, "-2", tr).mistake == "slope_z_for_a"
    dpdz = steps["factor:∂p/∂z₁⁽²⁾"]
    assert grade_step(dpdz, "0.282", tr).correct
    # ∂p/∂z taken as 1
    assert grade_step(dpdz, "1", tr).mistake == "output_slope_forgotten"


def test_missing_slope_on_a_two_output_network() -> None:
    """Generic hints: ∂J/∂W1_11 of the 2-2-2 sigmoid network, σ'(z1_1) left out.

    ∂J/∂W1_11 = Σ_k (p_k - y_k)·σ'(z2_k)·W2_k1·σ'(z1_1)·x1; without σ'(z1_1):
    Σ_k (p_k - y_k)·σ'(z2_k)·W2_k1·x1, computed here from the trace's forward values.
    """
    problem = get_preset("two_outputs").problem
    tr = trace(problem)
    p, y = tr.p, problem.y
    W2 = problem.layers[1].W
    slope2 = p * (1 - p)
    x1 = problem.x[0]
    wrong = sum((p[k] - y[k]) * slope2[k] * W2[k, 0] * x1 for k in range(2))
    g = grade_key(problem, "grad:W1_11", f"{wrong:.6f}")
    assert not g.correct
    assert g.mistake == "missing_slope"
    right = tr.grad("W1_11")
    assert grade_key(problem, "grad:W1_11", f"{right:.6f}").correct


def test_tanh_network_missing_derivative() -> None:
    """∂J/∂W1_11 of the 1-3-1 tanh network without tanh'(z1_1) = 1 - a1²:

    (p - y)·1·W2_11·x1 (identity output, so ∂p/∂z = 1)."""
    problem = get_preset("tanh_regression").problem
    tr = trace(problem)
    wrong = (tr.p[0] - problem.y[0]) * problem.layers[1].W[0, 0] * problem.x[0]
    g = grade_key(problem, "grad:W1_11", f"{wrong:.6f}")
    assert g.mistake == "missing_slope"
    assert "tanh′" in (g.hint or "")


@pytest.mark.parametrize(
    ("expected", "typed", "counts"),
    [
        (0.8808, "0.881", True),  # right
        (0.8808, "0.5", True),  # a definite wrong value
        ((0.07, (-0.25,)), "0.5 - 0.3y", True),
        (0.8808, "0.9", False),  # give more decimals
        (0.8808, "abc", False),  # unreadable
        (0.8808, "  ", False),  # blank
        ((0.07, (-0.25,)), "0.07", False),  # the y part missing
        (0.8808, "0.881 + 2y", False),  # a y part where there is none
    ],
)
def test_grade_says_whether_it_is_a_verdict(expected, typed: str, counts: bool) -> None:
    # The classroom's score counts verdicts only; it reads this flag, not the wording.
    assert grade(expected, typed).counts is counts
