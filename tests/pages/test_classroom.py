"""The classroom page through the app's own navigation (AppTest): a whole worked solution stepped
through with every value equal to the core's, predictions graded in the page (right, honestly
rounded, wrong with the hint), the sheet form, the seed's own answers, and a seed in the URL
giving the same variant as the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from expnet import get_preset, problem_from_dict, trace, worked_solution
from expnet.figures.network import network_figure
from expnet.teaching.exercises import make_exercise
from expnet.teaching.latex import CONTINUED
from expnet.teaching.sheets import question_sheet
from expnet.teaching.solution import Step, WorkedSolution
from expnet.teaching.stepper import counts_for_score
from expnet.ui import classroom, exercise_sheets
from tests.harness import run_module

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGE = "pages/classroom.py"
HOMEWORK = get_preset("homework")

#: The seed's own answers, as it prints them (rounded to 3 decimals and carried on).
SEED_ANSWERS = {
    "a1": "0.881",
    "a2": "0.622",
    "z": "-1.265",
    "p": "0.282",
    "W2_11": "-0.248442y + 0.070060644",
    "W1_11": "-0.01250582 + 0.04434689y",
}


# ---------------------------------------------------------------- helpers


def open_page(query: dict[str, str] | None = None) -> AppTest:
    """The app at its default page, then the classroom (with ``query`` in the URL)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def homework_solution(decimals: int | None = None) -> WorkedSolution:
    return worked_solution(trace(HOMEWORK.problem, decimals), list(HOMEWORK.questions))


def stage(at: AppTest) -> int:
    return int(at.session_state["_cls_position"][1]) if "_cls_position" in at.session_state else 0


SO_FAR = re.compile(r"^\d+\.\\quad ")


def card_latex(at: AppTest) -> str:
    """The step's own LaTeX (the last formula of the card; the list of revealed steps is
    numbered "n.\\quad" and comes later)."""
    bodies = [el.value.strip("$").strip() for el in at.latex]
    card = [b for b in bodies if not SO_FAR.match(b)]
    assert card, bodies
    return card[-1]


def so_far_latex(at: AppTest) -> list[str]:
    bodies = [el.value.strip("$").strip() for el in at.latex]
    return [b for b in bodies if SO_FAR.match(b)]


def unwrapped(body: str) -> str:
    """A step's LaTeX with the line breaks of long formulas taken out again."""
    return body.replace(CONTINUED, " ")


def assert_asked(body: str, step: Step) -> None:
    """``lhs = formula = ?`` on one line, or as an aligned block when it is long: the symbols
    of the step and no numbers."""
    one_line = " = ".join([step.lhs, *filter(None, [step.formula]), r"\;?"])
    block = rf"\begin{{aligned}} {step.lhs} &= {step.formula} \\ &= \;? \end{{aligned}}"
    assert unwrapped(body) in (one_line, block), body


def press(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def go_to_step(at: AppTest, index: int) -> None:
    """Press "Reveal"/"Next step" until step ``index`` is asked."""
    while stage(at) < 2 * index:
        press(at, "cls_next")
    assert stage(at) == 2 * index


def predict(at: AppTest, typed: str) -> AppTest:
    at.text_input(key="cls_guess").input(typed)
    next(b for b in at.button if b.label == "Check my prediction").click().run()
    assert not at.exception, at.exception
    return at


def chart(at: AppTest) -> dict:
    (el,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-cls_diagram")]
    return json.loads(el.proto.spec)


def trace_text(spec: dict, name: str | None) -> list[str]:
    for data in spec["data"]:
        if data.get("name") == name:
            return list(data["text"])
    raise AssertionError(f"no trace {name!r}")


def cli(*args: str) -> str:
    return run_module("expnet", *args, check=True).stdout


@pytest.fixture
def page() -> AppTest:
    return open_page()


# ---------------------------------------------------------------- step mode


def test_opens_on_the_first_step_of_the_homework_without_its_value(page: AppTest) -> None:
    sol = homework_solution()
    first = sol.steps[0]
    body = card_latex(page)
    assert body == rf"{first.lhs} = {first.formula} = \;?"  # symbols only, no numbers
    assert any(f"1. {first.title}" in m.value for m in page.markdown)
    assert page.button(key="cls_prev").disabled
    assert page.button(key="cls_next").label == "Reveal"
    assert not page.warning


def test_whole_solution_step_by_step_shows_the_cores_values(page: AppTest) -> None:
    sol = homework_solution()
    tr = sol.trace
    full = network_figure(tr, "values")
    full_units = next(d.text for d in full.data if d.name == "units")
    for index, step in enumerate(sol.steps):
        # asked: the symbols, no value, the diagram outlines what the step computes
        assert stage(page) == 2 * index
        body = card_latex(page)
        assert_asked(body, step)
        assert any(f"{index + 1}. {step.title}" in m.value for m in page.markdown)
        press(page, "cls_next")
        # revealed: formula, numbers and the core's value, exactly as the core writes them
        assert stage(page) == 2 * index + 1
        body = card_latex(page)
        assert body.startswith(rf"\begin{{aligned}} {step.lhs} ")
        assert body.endswith(rf"&= {step.value_latex} \end{{aligned}}"), body
        for part in filter(None, (step.formula, step.substituted)):
            assert f"&= {part} " in unwrapped(body)  # the core's LaTeX, whole
        # every revealed value is listed, numbered, with the core's value
        listed = so_far_latex(page)
        assert len(listed) == index + 1
        assert listed[-1] == rf"{index + 1}.\quad {step.lhs} = {step.value_latex}"
        # the diagram: activations revealed so far are shown (as the figure writes them)
        units = trace_text(chart(page), "units")
        shown = {s.key for s in sol.steps[: index + 1]}
        for n, (l, j) in enumerate(
            (l, j) for l, n_l in enumerate(tr.problem.sizes) for j in range(n_l)
        ):
            if l == 0 or f"a{l}_{j + 1}" in shown:
                assert units[n] == full_units[n]
            else:
                assert units[n] == "?"
        if index < len(sol.steps) - 1:
            press(page, "cls_next")
    assert page.button(key="cls_next").disabled
    assert any(f"the whole solution: {len(sol.steps)} steps" in s.value for s in page.success)


def test_diagram_outlines_forward_left_to_right_and_backward_from_the_loss(page: AppTest) -> None:
    sol = homework_solution()
    notes = []
    for _ in sol.steps:
        notes.append(next(c.value for c in page.caption if c.value.startswith("Outlined:")))
        press(page, "cls_next")
        if stage(page) < 2 * len(sol.steps) - 1:
            press(page, "cls_next")
    keys = [s.key for s in sol.steps]
    assert "left to right" in notes[keys.index("z1_1")]
    backward = notes[keys.index("grad:W1_11")]
    assert backward.startswith("Outlined: J → p → W₁₁⁽²⁾ → a₁⁽¹⁾ → W₁₁⁽¹⁾ → x₁")
    assert "flows back from the loss" in backward
    # the chart's outline follows the step's highlight: the output unit is gold at "p"
    press(page, "cls_restart")
    go_to_step(page, keys.index("a2_1"))
    units = next(d for d in chart(page)["data"] if d.get("name") == "units")
    widths = units["marker"]["line"]["width"]
    assert widths[-1] > max(widths[:-1])


def test_previous_restart_and_show_all(page: AppTest) -> None:
    sol = homework_solution()
    press(page, "cls_next")
    press(page, "cls_next")
    assert stage(page) == 2
    press(page, "cls_prev")
    assert stage(page) == 1
    assert card_latex(page).endswith(rf"&= {sol.steps[0].value_latex} \end{{aligned}}")
    press(page, "cls_end")
    assert stage(page) == 2 * len(sol.steps) - 1
    assert len(so_far_latex(page)) == len(sol.steps)
    press(page, "cls_restart")
    assert stage(page) == 0
    assert so_far_latex(page) == []


def test_position_survives_a_page_switch(page: AppTest) -> None:
    for _ in range(5):
        press(page, "cls_next")
    page.switch_page("pages/explorer.py").run()
    page.switch_page(PAGE).run()
    assert not page.exception
    assert stage(page) == 5


def test_every_weight_and_bias(page: AppTest) -> None:
    page.toggle(key="cls_all_steps").set_value(True).run()
    assert not page.exception
    everything = worked_solution(trace(HOMEWORK.problem))
    press(page, "cls_end")
    assert len(so_far_latex(page)) == len(everything.steps)
    assert so_far_latex(page)[-1].endswith(everything.steps[-1].value_latex)


def test_another_network_from_the_shared_state(page: AppTest) -> None:
    """The steps follow the explorer's network: here the two-output preset, numeric y."""
    page.selectbox(key="preset").set_value("two_outputs").run()
    assert not page.exception
    preset = get_preset("two_outputs")
    sol = worked_solution(trace(preset.problem), list(preset.questions))
    assert stage(page) == 0
    for index, step in enumerate(sol.steps):
        press(page, "cls_next")
        assert card_latex(page).endswith(rf"&= {step.value_latex} \end{{aligned}}")
        if index < len(sol.steps) - 1:
            press(page, "cls_next")
    # y is numeric: the loss J is a step, and the diagram shows it once revealed
    assert "J" in [s.key for s in sol.steps]
    assert trace_text(chart(page), "loss") != ["?"]


def test_by_hand_rounding_is_followed(page: AppTest) -> None:
    page.toggle(key="by_hand").set_value(True).run()
    sol = homework_solution(decimals=3)
    press(page, "cls_end")
    assert so_far_latex(page)[-1].endswith(sol.steps[-1].value_latex)
    assert "0.044346897" in so_far_latex(page)[-1]


# ---------------------------------------------------------------- predict, then reveal


def _graded(at: AppTest) -> tuple[list[str], list[str], list[str]]:
    return (
        [s.value for s in at.success],
        [e.value for e in at.error],
        [i.value for i in at.info],
    )


def test_prediction_right(page: AppTest) -> None:
    go_to_step(page, 1)  # a1_1 = 0.8808
    predict(page, "0.8808")
    ok, bad, _ = _graded(page)
    assert ok and "Correct" in ok[0] and not bad
    assert any("1 of 1 predictions right first time" in m.value for m in page.markdown)


@pytest.mark.parametrize("typed", ["0.88", "0.881", "0,881"])
def test_prediction_honestly_rounded(page: AppTest, typed: str) -> None:
    go_to_step(page, 1)
    predict(page, typed)
    ok, bad, _ = _graded(page)
    assert ok and not bad


def test_prediction_as_by_hand_gradient(page: AppTest) -> None:
    """The seed's own rounded answer for ∂J/∂W₁₁⁽²⁾ is right in step mode too."""
    keys = [s.key for s in homework_solution().steps]
    go_to_step(page, keys.index("grad:W2_11"))
    predict(page, SEED_ANSWERS["W2_11"])
    ok, bad, _ = _graded(page)
    assert ok and "as by hand" in ok[0]


def test_prediction_wrong_gets_the_hint_and_only_the_first_counts(page: AppTest) -> None:
    go_to_step(page, 1)
    predict(page, "2")  # z given for a
    ok, bad, hints = _graded(page)
    assert bad and "Not correct" in bad[0] and not ok
    assert hints and "z used in place of a" in hints[0]
    predict(page, "0.881")  # a second try: right, but the first one counts
    ok, bad, _ = _graded(page)
    assert ok
    assert any("0 of 1 predictions right first time" in m.value for m in page.markdown)
    assert any("Only the first checked prediction" in c.value for c in page.caption)
    press(page, "cls_next")  # reveal: the prediction that counted is recalled
    assert any("Your prediction: 2 (not right)" in c.value for c in page.caption)


def test_prediction_missing_sigma_prime(page: AppTest) -> None:
    sol = homework_solution()
    keys = [s.key for s in sol.steps]
    go_to_step(page, keys.index("grad:W1_11"))
    predict(page, "-0.1195 + 0.4234y")  # σ′ left out: −0.0125/0.105, 0.0445/0.105
    _, bad, hints = _graded(page)
    assert bad
    assert hints and "missing" in hints[0]


def test_unreadable_or_blank_predictions_do_not_count(page: AppTest) -> None:
    go_to_step(page, 1)
    predict(page, "")
    assert any("Type your prediction first" in w.value for w in page.warning)
    predict(page, "abc")
    _, bad, _ = _graded(page)
    assert bad and "Could not read" in bad[0]
    predict(page, "0.9")  # right to 1 decimal: asks for more decimals, does not count
    _, bad, _ = _graded(page)
    assert bad and "more decimals" in bad[0]
    assert any("no predictions checked yet" in c.value for c in page.caption)
    predict(page, "0.8808")
    assert any("1 of 1 predictions right first time" in m.value for m in page.markdown)


def test_typed_markup_is_shown_as_text(page: AppTest) -> None:
    go_to_step(page, 1)
    predict(page, "[x](javascript:alert(1)) <b>*y*</b>")
    _, bad, _ = _graded(page)
    assert bad and "Could not read" in bad[0]
    assert "](" not in bad[0].replace("\\]", "") and "<b>" not in bad[0]


def test_reset_score(page: AppTest) -> None:
    go_to_step(page, 1)
    predict(page, "0.881")
    press(page, "cls_reset_score")
    assert any("no predictions checked yet" in c.value for c in page.caption)


def test_ask_the_class_polls_the_current_step(
    page: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poll panel opens in its expander and asks the class the step on screen."""
    monkeypatch.setenv("EXPNET_DATA_DIR", str(tmp_path))
    assert not any(b.label == "Open a class session" for b in page.button)  # lazy: closed
    go_to_step(page, 1)
    page.session_state[classroom.POLL_KEY] = True  # the expander opened
    page.run()
    press(page, "poll_open")
    step = homework_solution().steps[1]
    ask = next(b for b in page.button if b.label.startswith("Ask the class:"))
    assert step.title in ask.label
    ask.click().run()
    assert not page.exception
    assert any("**Question 1** (open" in m.value and step.title in m.value for m in page.markdown)
    assert (tmp_path / "poll.sqlite3").exists()


def test_a_prediction_past_the_length_limit_is_refused_in_words_and_kept(page: AppTest) -> None:
    """A field with max_chars would drop a longer paste whole in the browser, leaving it
    empty: the limit is said instead, and a longer text is refused and stays in the field."""
    go_to_step(page, 1)
    field = page.text_input(key="cls_guess")
    assert not field.proto.max_chars and "120 characters" in field.help
    typed = "0.8808" + " " * 115  # 121 characters
    predict(page, typed)
    ok, bad, _ = _graded(page)
    assert not ok and any("too long" in m for m in bad + [w.value for w in page.warning]), bad
    assert page.text_input(key="cls_guess").value == typed


# ---------------------------------------------------------------- exercise sheets


def _sheet_form(at: AppTest, seed: int, answers: dict[str, str]) -> AppTest:
    for short, typed in answers.items():
        at.text_input(key=f"cls_sheet_{seed}_{short}").input(typed)
    next(b for b in at.button if b.label == "Check my answers").click().run()
    assert not at.exception, at.exception
    return at


def test_seed_homework_answers_as_the_seed_rounds_them_are_right(page: AppTest) -> None:
    _sheet_form(page, 0, SEED_ANSWERS)
    scores = {m.label: m.value for m in page.metric}
    assert scores["Score"] == "6 of 6"
    assert sum(m.value.startswith(classroom.RIGHT_MARK) for m in page.markdown) == 6


def test_sheet_form_grades_every_answer_with_hints() -> None:
    at = open_page({"seed": "7"})
    ex = make_exercise(7)
    answers = {q.short: ex.answer(q.key).text for q in ex.questions}
    a1 = ex.trace().z[0][0]  # z₁⁽¹⁾ typed for a₁⁽¹⁾
    answers["a1"] = f"{a1:.4f}"
    answers["p"] = ""  # left blank
    _sheet_form(at, 7, answers)
    scores = {m.label: m.value for m in at.metric}
    assert scores["Score"] == "4 of 6"
    lines = [
        m.value
        for m in at.markdown
        if m.value.startswith((classroom.RIGHT_MARK, classroom.WRONG_MARK))
    ]
    assert len(lines) == 6
    assert lines[0].startswith(classroom.WRONG_MARK) and "z used in place of a" in lines[0]
    assert lines[3].startswith(classroom.WRONG_MARK) and "No answer given" in lines[3]
    assert all(
        line.startswith(classroom.RIGHT_MARK) for i, line in enumerate(lines) if i not in (0, 3)
    )


def test_seed_in_the_url_is_the_same_variant_as_the_cli(teacher_key: str) -> None:
    seed = 7
    at = open_page({"seed": str(seed), "teacher": teacher_key})
    assert at.number_input(key="seed").value == seed
    assert at.session_state["cls_tab"] == classroom.EXERCISE_TAB  # an exercise link
    assert any(m.value == f"### Exercise {seed}: forward and backward pass" for m in at.markdown)
    # the sheet on the page is the CLI's sheet
    sheet = cli("exercise", "--seed", str(seed), "--format", "markdown")
    assert any(m.value.strip() == exercise_sheets._body(sheet).strip() for m in at.markdown)
    # and its network, loaded into the shared state on the teacher's view, is the CLI's one
    problem = problem_from_dict(
        json.loads(cli("exercise", "--seed", str(seed), "--format", "json"))["problem"]
    )
    press(at, "cls_present_exercise")
    assert at.session_state["cls_tab"] == classroom.STEP_TAB
    assert stage(at) == 0
    ex_sol = worked_solution(trace(problem), list(HOMEWORK.questions))
    press(at, "cls_end")
    assert [s for s in so_far_latex(at)] == [
        rf"{n}.\quad {s.lhs} = {s.value_latex}" for n, s in enumerate(ex_sol.steps, start=1)
    ]


def test_other_seeds_other_variants() -> None:
    at = open_page()
    at.number_input(key="seed").set_value(3).run()
    assert not at.exception
    shown = [m.value.strip() for m in at.markdown]
    assert exercise_sheets._body(question_sheet(make_exercise(3))).strip() in shown
    assert exercise_sheets._body(question_sheet(make_exercise(4))).strip() not in shown


@pytest.mark.parametrize("bad", ["abc", "7.5", "-3", "1e3", "9999999999"])
def test_bad_seed_in_the_url_is_named_once_and_exercise_0_shown(bad: str) -> None:
    at = open_page({"seed": bad})
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "not a whole number" in warnings[0]
    assert at.number_input(key="seed").value == 0
    assert at.session_state["cls_tab"] == classroom.EXERCISE_TAB
    at.number_input(key="seed").set_value(2).run()
    assert not at.warning


@pytest.fixture
def teacher_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A poll database of its own (teacher links are checked against it) and its key."""
    monkeypatch.setenv("EXPNET_POLL_DB_URL", f"sqlite:///{tmp_path / 'poll.sqlite3'}")
    monkeypatch.setenv("EXPNET_TEACHER_KEY", "a-teacher-key-for-this-test")
    return "a-teacher-key-for-this-test"


def test_downloads_are_the_sheet_and_on_a_teachers_link_the_key(teacher_key: str) -> None:
    at = open_page({"seed": "5", "teacher": teacher_key})
    labels = {b.proto.label for b in at.get("download_button")}
    assert {
        "Question sheet (Markdown)",
        "Question sheet (LaTeX)",
        "Answer key (Markdown)",
        "Answer key (LaTeX)",
    } <= labels
    assert "teacher" not in at.query_params  # off the address bar, and the projector
    assert not at.warning


@pytest.mark.parametrize(
    "query",
    [
        {"seed": "7", "cls_tab": "Exercise sheets"},  # the link the page hands out
        {"seed": "7", "teacher": "guess"},
        {"seed": "7", "teacher": "a-teacher-key-for-this-tes"},
    ],
)
def test_a_students_link_offers_no_answer_key(teacher_key: str, query: dict[str, str]) -> None:
    at = open_page(query)
    labels = {b.proto.label for b in at.get("download_button")}
    assert "Question sheet (Markdown)" in labels
    assert not any("Answer key" in label for label in labels), labels
    assert not any("Answer key" in e.proto.label for e in at.expander)
    assert any(exercise_sheets.TEACHER_ONLY_NOTE in c.value for c in at.caption)


# ---------------------------------------------------------------- presenter mode


def test_presenter_mode_tucks_the_controls_away(page: AppTest) -> None:
    assert any(t.value == "Classroom" for t in page.title)
    page.toggle(key="present").set_value(True).run()
    assert not page.exception
    assert not page.title
    css = [h.proto.body for h in page.get("html")]
    assert classroom.PRESENTER_CSS in css
    # the buttons still work, the diagram is drawn larger
    press(page, "cls_next")
    assert stage(page) == 1
    spec = chart(page)
    assert spec["layout"]["height"] == 500
    units = next(d for d in spec["data"] if d.get("name") == "units")
    assert units["textfont"]["size"] > 12


# ---------------------------------------------------------------- pure helpers


def test_seed_link_problem() -> None:
    assert exercise_sheets.seed_link_problem([]) is None
    assert exercise_sheets.seed_link_problem(["12"]) is None
    assert exercise_sheets.seed_link_problem(["1", "2"]) is not None
    assert "'<b>?'" not in (exercise_sheets.seed_link_problem(["<b>"]) or "")
    assert "<" not in (exercise_sheets.seed_link_problem(["<script>"]) or "")


def test_share_link() -> None:
    link = exercise_sheets.share_link("http://host:8501/classroom?seed=3&x=1#frag", 12)
    assert link == "http://host:8501/classroom?seed=12&cls_tab=Exercise+sheets"
    assert exercise_sheets.share_link(None, 0) == "/classroom?seed=0&cls_tab=Exercise+sheets"


def test_counts_for_score_follows_the_graders_messages() -> None:
    from expnet.teaching.grading import grade

    assert counts_for_score(grade(0.8808, "0.881"))
    assert counts_for_score(grade(0.8808, "0.5"))
    assert not counts_for_score(grade(0.8808, "0.9"))  # more decimals, please
    assert not counts_for_score(grade(0.8808, "abc"))
    assert not counts_for_score(grade((0.07, (-0.25,)), "0.07"))  # y part missing


# ---------------------------------------------------------------- an exercise's answers


def page_text(at: AppTest) -> str:
    """Everything the page sends to the browser, as text: every element's message, the
    diagram's figure included."""
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def answers_of_the_cli(seed: int) -> set[str]:
    """Every answer of the exercise as ``expnet exercise --answers`` prints it (its table,
    exact and as by hand), each number also to 3 decimals."""
    text = cli("exercise", "--seed", str(seed), "--answers")
    table = text.split("## Answers", 1)[1].split("## Worked solution", 1)[0]
    numbers: set[str] = set()
    for row in table.splitlines()[3:]:
        cells = row.split("|")[2:4]  # exact, as by hand
        for cell in cells:
            for number in re.findall(r"\d+\.\d+", cell):
                numbers.add(number)
                numbers.add(f"{float(number):.3f}")
    assert len(numbers) >= 12, numbers
    return numbers


def step_through_the_presented_exercise(at: AppTest) -> list[str]:
    """Present the exercise, press every next step and then "Show all"; the page's text at
    every stop."""
    press(at, "cls_present_exercise")
    seen = [page_text(at)]
    for _ in range(40):
        button = at.button(key="cls_next")
        if button.disabled:
            break
        press(at, "cls_next")
        seen.append(page_text(at))
    press(at, "cls_restart")
    press(at, "cls_end")
    seen.append(page_text(at))
    return seen


def test_a_students_exercise_link_steps_through_without_the_answers(teacher_key: str) -> None:
    answers = answers_of_the_cli(7)
    at = open_page({"seed": "7"})
    seen = step_through_the_presented_exercise(at)
    assert len(seen) > 10
    for text in seen:
        shown = sorted(a for a in answers if a in text)
        assert not shown, shown
    # the steps themselves are there: the last one asked, its symbols and no number
    ex_sol = make_exercise(7).solution()
    assert_asked(card_latex(at), ex_sol.steps[-1])
    # and the explorer's network is left alone
    at.switch_page("pages/explorer.py").run()
    assert not at.exception
    assert not sorted(a for a in answers if a in page_text(at))


def test_the_teachers_exercise_link_steps_through_with_the_answers(teacher_key: str) -> None:
    answers = answers_of_the_cli(7)
    at = open_page({"seed": "7", "teacher": teacher_key})
    seen = step_through_the_presented_exercise(at)
    exact = {a for a in answers if len(a.split(".")[1]) > 4 and a in seen[-1]}
    assert len(exact) >= 6, exact


def test_the_sheet_says_its_length_limit_and_drops_no_paste() -> None:
    at = open_page({"seed": "7"})
    fields = [t for t in at.text_input if t.key and t.key.startswith("cls_sheet_7_")]
    assert fields and not any(t.proto.max_chars for t in fields)
    assert any("at most 120 characters each" in c.value for c in at.caption)


def test_the_computational_graph_beside_the_steps_lights_each_steps_nodes(page: AppTest) -> None:
    """Off at first; switched on, the first step, z₁⁽¹⁾ = W₁₁⁽¹⁾x₁ + W₁₂⁽¹⁾x₂ + b₁⁽¹⁾, lights
    its sum, its two products and its three leaves, and no value is shown (the steps reveal
    them); the gradient of W₁₁⁽²⁾ lights W₁₁⁽²⁾ and every node from it to J."""
    assert not [c for c in page.get("plotly_chart") if c.proto.id.endswith("-cls_graph_figure")]
    page.toggle(key=classroom.GRAPH_KEY).set_value(True).run()
    assert not page.exception, page.exception

    def graph_chart() -> dict:
        (el,) = [c for c in page.get("plotly_chart") if c.proto.id.endswith("-cls_graph_figure")]
        return json.loads(el.proto.spec)

    spec = graph_chart()
    assert set(spec["layout"]["meta"]["marked"]) == {
        "z1_1", "W1_11", "W1_12", "W1_11*x1", "W1_12*x2", "b1_1",
    }  # fmt: skip
    assert "<br>" not in " ".join(trace_text(spec, "sums") + trace_text(spec, "leaves"))
    assert "z₁⁽¹⁾" in " ".join(c.value for c in page.caption)
    sol = homework_solution(3)
    go_to_step(page, [s.key for s in sol.steps].index("grad:W2_11"))
    assert graph_chart()["layout"]["meta"]["marked"] == [
        "W2_11", "W2_11*a1_1", "z2_1", "a2_1", "diff1", "sq1", "J",
    ]  # fmt: skip
