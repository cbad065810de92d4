"""One teacher and three students in separate browser contexts on one class session.

Real `streamlit run` servers on loopback, Debian's Chromium through Playwright. The first
test runs one server on SQLite; the second runs two servers (two replicas) sharing one
PostgreSQL database, the teacher on one and the students on the other. Answers must reach
the teacher's live view within 3 s of the last submission, nothing lost, and the reveal must
reach every student. The 3 s target is measured and written to timings.json beside the
screenshots (tests/artifacts/<test>/); the test itself only fails when an answer is lost or
takes longer than ARRIVAL_LIMIT_S, since shared machines make wall-clock budgets flaky.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests import harness
from tests.browser.test_a11y import run_axe

from .conftest import ask

# A whole class in four browsers against one or two servers. In the full suite on a shared CI
# machine a teacher's click (Ask, End) was twice not followed by the page's answer within 20 s,
# never reproduced alone or under load; a failure saves the teacher's screen and its text, and
# the test runs once more before it counts (the rerun shows as RERUN in the report).
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.flaky(reruns=1)]


REPO = Path(__file__).resolve().parents[2]
APP = REPO / "tests/poll/apps/app.py"
ARTIFACTS = REPO / "tests/artifacts"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
ANSWERS = ["0.88", "2", "0.8808"]  # right, "z used in place of a", right
TARGET_S = 3.0  # the target, recorded in timings.json
ARRIVAL_LIMIT_S = 20.0  # beyond this an answer counts as lost


@contextmanager
def streamlit_server(db_url: str, app: Path = APP, *, loopback_only: bool = True) -> Iterator[str]:
    """The app on a free port, reached at 127.0.0.1. ``loopback_only=False`` listens on every
    interface, as ``make run`` does, so phones on the network could join."""
    try:
        with harness.streamlit_server(
            app,
            env={"EXPNET_POLL_DB_URL": db_url},
            unset_env=["EXPNET_PUBLIC_URL"],
            loopback_only=loopback_only,
        ) as base:
            yield base
    except harness.ServerDidNotStart as err:
        pytest.fail(str(err), pytrace=False)


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def _open(stack: ExitStack, browser, url: str, timeout_ms: int, **context):  # type: ignore[no-untyped-def]
    """``url`` in a fresh browser context (``context``: its options; closed with ``stack``),
    once the page is idle."""
    ctx = browser.new_context(**context)
    stack.callback(ctx.close)
    ctx.set_default_timeout(timeout_ms)
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector(IDLE)
    return page


def _folder(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")


def _shot(request: pytest.FixtureRequest, page, name: str) -> Path:  # type: ignore[no-untyped-def]
    folder = ARTIFACTS / _folder(request)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def _metric(page, label: str) -> str:  # type: ignore[no-untyped-def]
    metric = page.locator("[data-testid=stMetric]").filter(
        has=page.locator("[data-testid=stMetricLabel]", has_text=re.compile(f"^{label}$"))
    )
    return str(metric.locator("[data-testid=stMetricValue]").inner_text()).strip()


def _histogram_total(page) -> float:  # type: ignore[no-untyped-def]
    return float(
        page.evaluate(
            """() => {
                const plot = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
                if (!plot || !plot._fullData || !plot._fullData.length) return -1;
                return Array.from(plot._fullData[0].y).reduce((a, b) => a + b, 0);
            }"""
        )
    )


def _teacher_sees(request: pytest.FixtureRequest, teacher, locator, what: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for ``locator`` on the teacher's page; if it never shows, save a screenshot and fail
    with what the page shows instead."""
    try:
        locator.wait_for()
    except PlaywrightTimeoutError:
        _shot(request, teacher, f"teacher_without_{what.replace(' ', '_')}")
        shown = teacher.locator("[data-testid=stMain]").inner_text()[:1500]
        raise AssertionError(f"the teacher never saw {what}; the page shows:\n{shown}") from None


def run_class(
    request: pytest.FixtureRequest, browser, teacher_base: str, student_base: str
) -> dict[str, float]:  # type: ignore[no-untyped-def]
    timings: dict[str, float] = {}
    with ExitStack() as stack:
        url = f"{teacher_base}/teacher?every=1"
        teacher = _open(stack, browser, url, 20_000, viewport={"width": 1400, "height": 1100})
        teacher.get_by_role("button", name="Open a class session").click()
        heading = teacher.locator("h1").filter(has_text=re.compile(r"^[2-9A-Z]{3}-[2-9A-Z]{3}$"))
        code = heading.inner_text().strip().replace("-", "")
        link = teacher.locator(f"a[href$='/join?code={code}']").first
        href = str(link.get_attribute("href"))
        assert href.endswith(f"/join?code={code}") and href.startswith(teacher_base)
        teacher.locator("[data-testid=stImage] img").first.wait_for()  # the QR code
        teacher.get_by_role("button", name=re.compile("^Ask the class")).click()
        _teacher_sees(request, teacher, teacher.get_by_text("Question 1"), "question 1")
        _shot(request, teacher, "teacher_asked")

        students = []
        for i, answer in enumerate(ANSWERS):
            page = _open(stack, browser, href.replace(teacher_base, student_base), 20_000, **PHONE)
            page.get_by_label("Nickname").fill(f"student {i + 1}")
            page.get_by_role("button", name="Join").click()
            page.get_by_label("Your prediction").wait_for()
            students.append((page, answer))
        _shot(request, students[0][0], "student_question")

        # all three type, then submit together
        for page, answer in students:
            page.get_by_label("Your prediction").fill(answer)
        for page, _ in students:
            page.get_by_role("button", name="Submit").click()
        submitted = time.monotonic()
        for page, answer in students:
            page.get_by_text(f"Your answer {answer} is in").wait_for()
        deadline = submitted + ARRIVAL_LIMIT_S
        while _metric(teacher, "Answers") != "3":
            assert time.monotonic() < deadline, "the answers did not reach the teacher"
            time.sleep(0.05)
        timings["answers_visible_s"] = time.monotonic() - submitted
        timings["within_target_s"] = TARGET_S
        timings["within_target"] = timings["answers_visible_s"] <= TARGET_S
        while _histogram_total(teacher) != 3:
            assert time.monotonic() < deadline + 1.5, "the histogram does not count 3 answers"
            time.sleep(0.05)
        _shot(request, teacher, "teacher_answers")

        teacher.get_by_role("button", name="Close and reveal").click()
        revealed = time.monotonic()
        teacher.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
            ".some(e => e.innerText.trim() === '67%')"
        )
        teacher.get_by_text(re.compile("^z used in place of a$")).wait_for()
        _shot(request, teacher, "teacher_revealed")
        for page, answer in students:
            page.get_by_text("The answer: 0.880797").wait_for(timeout=10_000)
            expected = "Correct" if answer != "2" else "z used in place of a"
            page.get_by_text(re.compile(expected)).first.wait_for()
        timings["reveal_reached_students_s"] = time.monotonic() - revealed
        (ARTIFACTS / _folder(request) / "timings.json").write_text(json.dumps(timings, indent=1))
        _shot(request, students[0][0], "student_revealed_right")
        _shot(request, students[1][0], "student_revealed_wrong")

        teacher.get_by_text("Host key and end of class").click()
        teacher.get_by_role("button", name="End the class session").click()
        open_again = teacher.get_by_role("button", name="Open a class session")
        _teacher_sees(request, teacher, open_again, "the start controls after the end")
        for page, _ in students:
            page.get_by_text("That class session is over").wait_for(timeout=10_000)
    return timings


def test_one_teacher_three_students_on_sqlite(
    browser, request: pytest.FixtureRequest, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with streamlit_server(f"sqlite:///{tmp_path / 'poll.sqlite3'}") as base:
        timings = run_class(request, browser, base, base)
    assert timings["answers_visible_s"] < ARRIVAL_LIMIT_S


def test_two_replicas_sharing_postgresql(browser, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    server = request.getfixturevalue("pg")
    url = server.create_database()
    with streamlit_server(url) as teacher_base, streamlit_server(url) as student_base:
        timings = run_class(request, browser, teacher_base, student_base)
    assert timings["answers_visible_s"] < ARRIVAL_LIMIT_S


# ---------------------------------------------------------------- the real app on a laptop


def test_a_class_from_a_laptop_opened_at_127_0_0_1(
    browser, request: pytest.FixtureRequest, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The app as ``make run`` starts it, the teacher's browser at http://127.0.0.1:PORT: the
    join link on the projector names one of the machine's network addresses (or, on a machine
    with none, the panel says so in plain words) and the server listens on every interface,
    so a phone on the network reaches it; the phone here joins with that link's path through
    127.0.0.1 (tests send nothing to the network address), answers, sees the reveal; a
    reload keeps the teacher's class session and the student's seat; nicknames stay text."""
    import socket

    import psutil

    from expnet.poll.address import NO_NETWORK, is_loopback

    db = f"sqlite:///{tmp_path / 'poll.sqlite3'}"
    with streamlit_server(db, REPO / "app.py", loopback_only=False) as base, ExitStack() as stack:
        url = f"{base}/classroom"
        teacher = _open(stack, browser, url, 60_000, viewport={"width": 1280, "height": 900})
        teacher.get_by_text("Ask the class (live poll from phones)").click(timeout=120_000)
        teacher.get_by_label("Title (optional").fill("Week 3 **[slides](http://e.example)**")
        teacher.get_by_role("button", name="Open a class session").click()
        heading = teacher.locator("h1").filter(has_text=re.compile(r"^[2-9A-Z]{3}-[2-9A-Z]{3}$"))
        code = heading.inner_text().strip().replace("-", "")
        link = teacher.locator(f"a[href$='/join?code={code}']").first
        href = str(link.get_attribute("href"))
        host = str(urlsplit(href).hostname)
        # the machine's own addresses, read from its interfaces (no packet sent anywhere)
        network = {
            a.address.split("%")[0]
            for addrs in psutil.net_if_addrs().values()
            for a in addrs
            if a.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(a.address)
        }
        if network:
            assert host in network, (href, network)
            assert teacher.get_by_text(NO_NETWORK[:40]).count() == 0
        else:  # a machine without a network: the plain-words notice instead
            teacher.get_by_text(NO_NETWORK[:40]).wait_for()
        port = urlsplit(base).port
        listening = {
            c.laddr.ip
            for c in psutil.net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
        }
        assert listening & {"0.0.0.0", "::"}, listening  # every interface, phones included
        parts = urlsplit(href)
        href = base + parts.path + "?" + parts.query  # the link's page, through loopback
        assert teacher.get_by_text("Week 3 **[slides](http://e.example)**").count() == 1
        teacher.get_by_role("button", name=re.compile("^Ask the class:")).click()
        teacher.get_by_text("Question 1").wait_for()

        # the link from the projector, as the QR code carries it
        phone = _open(stack, browser, href, 60_000, **PHONE)
        phone.get_by_label("Nickname").fill("www.evil.example")
        _shot(request, phone, "student_join")
        phone.get_by_role("button", name="Join").click()
        phone.get_by_label("Your prediction").fill("2")
        phone.get_by_role("button", name="Submit").click()
        phone.get_by_text("Your answer 2 is in").wait_for()
        assert "me=" not in phone.url
        _shot(request, phone, "student_answered")
        phone.reload()  # the seat survives a reload in this browser
        phone.wait_for_selector(IDLE)
        phone.get_by_text("Your answer 2 is in").wait_for()

        other = _open(stack, browser, href, 60_000, **PHONE)
        other.get_by_label("Nickname").fill("Ana")
        other.get_by_role("button", name="Join").click()
        other.get_by_label("Your prediction").fill("0.881")
        other.get_by_role("button", name="Submit").click()
        other.get_by_text("Your answer 0.881 is in").wait_for()

        deadline = time.monotonic() + ARRIVAL_LIMIT_S
        while _metric(teacher, "Answers") != "2":
            assert time.monotonic() < deadline, "the answers did not reach the teacher"
            time.sleep(0.1)
        teacher.get_by_text(re.compile("^Answered: Ana, www.evil.example$")).wait_for()
        assert teacher.locator("a[href*='evil']").count() == 0
        assert teacher.locator("a[href*='e.example']").count() == 0

        teacher.reload()  # the running class session comes back by itself
        teacher.wait_for_selector(IDLE)
        teacher.get_by_text("Ask the class (live poll from phones)").click()
        teacher.locator("h1").filter(has_text=code[:3]).wait_for()
        teacher.get_by_role("button", name="Close and reveal").click()
        teacher.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
            ".some(e => e.innerText.trim() === '50%')"
        )
        teacher.locator("[data-testid=stExpander]").filter(
            has_text="Ask the class"
        ).scroll_into_view_if_needed()
        _shot(request, teacher, "teacher_revealed")
        phone.get_by_text("The answer: 2").wait_for(timeout=15_000)
        phone.get_by_text(re.compile("^Your answer 2: Correct")).wait_for()
        _shot(request, phone, "student_revealed")


# ------------------------------------------------ the teacher's clicks while the view refreshes

# Counts the messages the page sends to the server: the live view's timer sends one each
# time it refreshes, so a click made right after a new one lands while the panel refreshes.
SENDS_JS = """(() => {
    window.__sends = 0;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
        window.__sends += 1;
        return send.call(this, data);
    };
})();"""


def test_twenty_teacher_clicks_while_the_live_view_refreshes(
    browser, request: pytest.FixtureRequest, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Open, ask, reveal and end, five times over, each click made just as the live view
    (refreshing every 0.5 s) asks the server for its next refresh: every click takes effect
    the first time. A second teacher tab on the same class session then sees the class end
    in the first one without a click of its own."""
    with streamlit_server(f"sqlite:///{tmp_path / 'poll.sqlite3'}") as base, ExitStack() as stack:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
        stack.callback(ctx.close)
        ctx.set_default_timeout(20_000)
        ctx.add_init_script(SENDS_JS)
        teacher = ctx.new_page()
        teacher.goto(f"{base}/teacher?every=0.5")
        teacher.wait_for_selector(IDLE)
        done = 0

        def click(name: str | re.Pattern[str], then) -> None:  # type: ignore[no-untyped-def]
            nonlocal done
            sent = teacher.evaluate("() => window.__sends")
            if teacher.get_by_text(re.compile("^Students joined$")).count():  # refreshing
                teacher.wait_for_function("(n) => window.__sends > n", arg=sent)
            teacher.get_by_role("button", name=name).click()
            _teacher_sees(request, teacher, then, f"the effect of click {done + 1} ({name})")
            done += 1

        for _ in range(5):
            click("Open a class session", teacher.get_by_text("Host key and end of class"))
            click(re.compile("^Ask the class"), teacher.get_by_text("(open: answers coming in)"))
            click("Close and reveal", teacher.get_by_text("(revealed)"))
            teacher.get_by_text("Host key and end of class").click()
            click(
                "End the class session", teacher.get_by_role("button", name="Open a class session")
            )
        assert done == 20

        teacher.get_by_role("button", name="Open a class session").click()
        teacher.get_by_text("Host key and end of class").click()
        host_key = teacher.locator("[data-testid=stCode] code").inner_text().strip()
        other = _open(stack, browser, f"{base}/teacher?every=0.5", 20_000)
        other.get_by_text("Continue a class session").click()
        other.get_by_label("Host key").fill(host_key)
        other.get_by_role("button", name="Continue").click()
        code = teacher.locator("h1").filter(has_text=re.compile(r"^[2-9A-Z]{3}-[2-9A-Z]{3}$"))
        _teacher_sees(request, teacher, code, "the join code")
        shown = code.inner_text()
        other.locator("h1").filter(has_text=shown).wait_for()
        teacher.get_by_role("button", name="End the class session").click()
        teacher.get_by_role("button", name="Open a class session").wait_for()
        other.get_by_text("The class session is over.").wait_for(timeout=10_000)
        assert other.locator("h1").filter(has_text=shown).count() == 0


# ------------------------------------------------------- the countdown and the CSV export


def _store_on(db_url: str):  # type: ignore[no-untyped-def]
    """The poll store on the test server's database, as a second replica would open it."""
    from sqlalchemy import create_engine

    from expnet.poll.store import PollStore

    return PollStore(create_engine(db_url))


def _open_and_ask(stack: ExitStack, browser, base: str, seconds: str = ""):  # type: ignore[no-untyped-def]
    """The teacher's page with a class session open and question 1 asked (with a countdown
    of ``seconds`` when given); returns the page and the join code."""
    teacher = _open(
        stack, browser, f"{base}/teacher?every=1", 20_000, viewport={"width": 1400, "height": 1100}
    )
    teacher.get_by_role("button", name="Open a class session").click()
    heading = teacher.locator("h1").filter(has_text=re.compile(r"^[2-9A-Z]{3}-[2-9A-Z]{3}$"))
    code = heading.inner_text().strip().replace("-", "")
    if seconds:
        field = teacher.get_by_label(re.compile("^Countdown in seconds"))
        field.fill(seconds)
        field.press("Enter")
        teacher.wait_for_selector(IDLE)
    teacher.get_by_role("button", name=re.compile("^Ask the class")).click()
    teacher.get_by_text("Question 1").wait_for()
    return teacher, code


def test_a_countdown_on_the_phone_and_an_answer_after_it(
    browser, request: pytest.FixtureRequest, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The teacher asks with 45 s on the clock: projector and phone count down, the phone's
    browser by itself (no timer, no run). The teacher then reveals and asks again with 10 s;
    the countdown ends while the student has not sent anything; the phone says so, with the
    closing time in the phone's own time zone, and the answer sent after it is refused in
    those words, kept on screen and not stored."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    db = f"sqlite:///{tmp_path / 'poll.sqlite3'}"
    store = _store_on(db)
    with streamlit_server(db) as base, ExitStack() as stack:
        teacher, code = _open_and_ask(stack, browser, base, "45")
        time_left = teacher.locator("[data-testid=stMetric]").filter(has_text="Time left")
        time_left.filter(has_text=re.compile(r"0:[2-4]\d")).wait_for()

        ctx = browser.new_context(timezone_id="Asia/Kolkata", **PHONE)
        stack.callback(ctx.close)
        ctx.set_default_timeout(20_000)
        ctx.add_init_script(harness.RUN_COUNTER_JS)
        phone = ctx.new_page()
        phone.goto(f"{base}/join?code={code}")
        phone.get_by_label("Nickname").fill("Ada")
        phone.get_by_role("button", name="Join").click()
        counting = phone.get_by_text(re.compile(r"^0:[2-4]\d left to answer$"))
        counting.wait_for()
        first = counting.inner_text()
        phone.wait_for_selector(IDLE)
        runs = phone.evaluate("() => window.__expnetRunsFinished")
        phone.get_by_text(re.compile(r"left to answer$")).filter(
            has_not_text=first.split()[0]
        ).wait_for()  # a second later the phone shows less time, by itself
        assert phone.evaluate("() => window.__expnetRunsFinished") == runs
        assert phone.evaluate("() => window.__expnetTimersStarted") == 0
        _shot(request, phone, "phone_counting_down")
        assert not run_axe(phone), "axe-core on the phone counting down"
        first_question = store.current_question(_session_id(store, code))
        assert first_question is not None and first_question.deadline_at is not None
        assert first_question.deadline_at - first_question.opened_at == 45

        teacher.get_by_role("button", name="Close and reveal").click()
        phone.get_by_text(re.compile("^The answer")).wait_for()
        field = teacher.get_by_label(re.compile("^Countdown in seconds"))
        field.fill("10")
        field.press("Enter")
        teacher.wait_for_selector(IDLE)
        teacher.get_by_role("button", name=re.compile("^Ask again")).click()
        phone.get_by_text(re.compile(r"^0:(0\d|10) left to answer$")).wait_for()
        question = store.current_question(_session_id(store, code))
        assert question is not None and question.deadline_at is not None
        assert question.id != first_question.id
        closed = datetime.fromtimestamp(question.deadline_at, ZoneInfo("Asia/Kolkata"))
        said = f"Time is up: answers closed at {closed:%H:%M:%S}."
        phone.get_by_text(said).wait_for()  # the browser's countdown has ended
        _shot(request, phone, "phone_time_up")
        assert not run_axe(phone), "axe-core on the phone when its countdown has ended"
        phone.get_by_label("Your prediction").fill("0.88")
        phone.get_by_role("button", name="Submit").click()
        refused = "Your answer 0.88 arrived after the time was up, so it was not counted."
        phone.get_by_text(refused).wait_for()
        phone.wait_for_selector(IDLE)
        phone.get_by_text(said).wait_for()  # now drawn by the server, not the browser
        assert phone.get_by_text(said).count() == 1  # the time it closed, said once
        _shot(request, phone, "phone_answer_refused")
        assert store.answers(question.id) == []
        time_left.filter(has_text="0:00").wait_for()
        teacher.get_by_text("time is up: reveal when you are ready").wait_for()
        _shot(request, teacher, "teacher_time_is_up")


def _session_id(store, code: str) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from expnet.poll.schema import sessions

    with store.engine.connect() as conn:
        return int(conn.execute(select(sessions.c.id).where(sessions.c.code == code)).scalar_one())


def test_the_teacher_downloads_the_class_session_as_csv(
    browser, request: pytest.FixtureRequest, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Two students answer (one named like a spreadsheet formula, one anonymous who does not
    answer, one with a negative number); the summary counts them and the CSV Playwright
    saves holds a row per student and question, the formula quoted, the number a number."""
    import csv

    db = f"sqlite:///{tmp_path / 'poll.sqlite3'}"
    store = _store_on(db)
    with streamlit_server(db) as base, ExitStack() as stack:
        teacher, code = _open_and_ask(stack, browser, base)
        question = store.current_question(_session_id(store, code))
        assert question is not None
        formula = store.join(code, "10.0.0.1", "=cmd|' /C calc'!A0")
        store.join(code, "10.0.0.2")
        negative = store.join(code, "10.0.0.3", "Bo")
        store.submit(formula.token, question.id, "2")
        store.submit(negative.token, question.id, "-0.88")
        teacher.get_by_text("Summary and export").click()
        summary = teacher.locator("[data-testid=stExpander]").filter(has_text="Summary and export")
        summary.locator("[data-testid=stDataFrame]").first.wait_for()
        with teacher.expect_download() as download:
            teacher.get_by_role("button", name="Download the answers (CSV)").click()
        saved = tmp_path / "saved.csv"
        download.value.save_as(saved)
        _shot(request, teacher, "teacher_summary")
    assert download.value.suggested_filename == "class-poll.csv"
    rows = list(csv.DictReader(saved.read_text(encoding="utf-8-sig").splitlines()))
    got = [
        (r["student"], r["nickname"], r["answer as typed"], r["value read"], r["correct"])
        for r in rows
    ]
    assert got == [
        ("1", "'=cmd|' /C calc'!A0", "2", "2.0", "no"),
        ("2", "", "", "", ""),
        ("3", "Bo", "'-0.88", "-0.88", "no"),
    ]
    assert "That is z" in rows[0]["hint"] and rows[0]["question"] == "1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[0]["time (UTC)"])


# ---------------------------------------------------------------- a waiting phone


def test_a_waiting_phone_runs_nothing_until_the_class_session_changes(
    browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A waiting phone has no timer: the server pushes. An ask and a reveal made through
    another process on the same database (as another replica would) redraw the question
    once each, and an answer redraws it too, all without a run of the whole page: in a
    lecture hall these come all at once. The form is gone after the reveal."""
    from sqlalchemy import create_engine

    from expnet.poll.store import PollStore

    db = f"sqlite:///{tmp_path / 'poll.sqlite3'}"
    engine = create_engine(db)
    teacher = PollStore(engine)  # this process: the replica the teacher uses
    hosted = teacher.open_session()
    runs = "() => [window.__expnetRunsFinished, window.__expnetPageRunsFinished]"
    timers = "() => window.__expnetTimersStarted"
    try:
        with streamlit_server(db) as base, ExitStack() as stack:
            ctx = browser.new_context(**PHONE)
            stack.callback(ctx.close)
            ctx.set_default_timeout(30_000)
            ctx.add_init_script(harness.RUN_COUNTER_JS)
            phone = ctx.new_page()
            phone.goto(f"{base}/join?code={hosted.session.code}")
            phone.get_by_role("button", name="Join").click()
            phone.get_by_text("Waiting for the first question").wait_for()
            phone.wait_for_selector(IDLE)
            done, pages = phone.evaluate(runs)
            assert phone.evaluate(timers) == 0

            asked = ask(teacher, hosted, prompt="Activation of hidden unit 1")
            field = phone.get_by_label("Your prediction")
            field.wait_for()
            phone.get_by_text("Activation of hidden unit 1").wait_for()
            phone.wait_for_selector(IDLE)
            assert phone.get_by_text("Waiting for the first question").count() == 0
            assert phone.evaluate(runs) == [done + 1, pages]  # the question's fragment, once

            field.fill("0.88")
            phone.get_by_role("button", name="Submit").click()
            phone.get_by_text("Your answer 0.88 is in").wait_for()
            assert phone.evaluate(runs)[1] == pages

            teacher.reveal(asked.id, hosted.host_token)
            phone.get_by_text("The answer: 0.881").wait_for()
            phone.wait_for_selector(IDLE)
            assert phone.get_by_label("Your prediction").count() == 0
            assert phone.get_by_role("button", name="Change my answer").count() == 0
            assert phone.evaluate(runs)[1] == pages
            assert phone.evaluate(timers) == 0
    finally:
        engine.dispose()


# While "offline", a phone's new connections go nowhere (a closed port on loopback); the
# sockets opened are kept, so that a test can close them as a dropped Wi-Fi would.
OFFLINE_JS = r"""
(() => {
    const Native = window.WebSocket;
    window.__expnetSockets = [];
    window.__expnetOffline = false;
    window.WebSocket = class extends Native {
        constructor(url, ...rest) {
            super(window.__expnetOffline ? "ws://127.0.0.1:9/" : url, ...rest);
            window.__expnetSockets.push(this);
        }
    };
})();
"""


def test_a_phone_that_was_offline_when_the_teacher_asked_gets_the_question_back(
    browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A phone's connection drops (its screen locked) while it waits, and the teacher asks
    meanwhile. The server keeps its session; when the phone reconnects, Streamlit's browser
    does not run the page again on its own (its last run was the whole page, with no timer),
    so the server must push the question to it then."""
    from sqlalchemy import create_engine

    from expnet.poll.store import PollStore

    db = f"sqlite:///{tmp_path / 'poll.sqlite3'}"
    engine = create_engine(db)
    teacher = PollStore(engine)
    hosted = teacher.open_session()
    try:
        with streamlit_server(db) as base, ExitStack() as stack:
            phones = []
            for offline in (True, False):
                ctx = browser.new_context(**PHONE)
                stack.callback(ctx.close)
                ctx.set_default_timeout(30_000)
                if offline:
                    ctx.add_init_script(OFFLINE_JS)
                phone = ctx.new_page()
                phone.goto(f"{base}/join?code={hosted.session.code}")
                phone.get_by_role("button", name="Join").click()
                phone.get_by_text("Waiting for the first question").wait_for()
                phone.wait_for_selector(IDLE)
                phones.append(phone)
            away, present = phones
            away.evaluate(
                "() => { window.__expnetOffline = true;"
                " window.__expnetSockets.forEach((s) => s.close()); }"
            )
            # the browser tries to reconnect only once the server has closed its side
            away.wait_for_function("() => window.__expnetSockets.length >= 2")

            ask(teacher, hosted, prompt="Activation of hidden unit 1")
            # the server's reading that pushed this phone found the other one away
            present.get_by_label("Your prediction").wait_for()
            assert away.get_by_text("Waiting for the first question").count() == 1

            away.evaluate("() => { window.__expnetOffline = false; }")
            away.get_by_label("Your prediction").wait_for()
            away.get_by_text("Activation of hidden unit 1").wait_for()
    finally:
        engine.dispose()


def test_the_phones_countdown_reads_the_time_as_the_projector_does(browser) -> None:  # type: ignore[no-untyped-def]
    """The phone's browser formats the time left itself; it must read as the server's
    ``clock_text`` does (rounded up: 83.2 s is 1:24)."""
    from expnet.poll.summary import clock_text
    from expnet.ui import countdown

    source = re.search(r"export (function clock\(seconds\) \{.*?\n\})", countdown._JS, re.S)
    assert source is not None
    page = browser.new_page()
    try:
        seconds = [0, 0.2, 1, 9.99, 59, 59.5, 60, 61, 83.2, 599.01, 3599.9, 3600]
        shown = page.evaluate(f"(xs) => {{ {source.group(1)}; return xs.map(clock); }}", seconds)
        assert shown == [clock_text(x) for x in seconds]
        assert shown[8] == "1:24" and shown[0] == "0:00" and shown[-1] == "60:00"
    finally:
        page.close()
