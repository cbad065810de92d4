"""The poll store against SQLite and a real PostgreSQL server (every test runs on both)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, insert, inspect, select, text

from expnet.poll import schema
from expnet.poll.codes import format_code, normalize_code
from expnet.poll.config import PollSettings
from expnet.poll.records import (
    AnswerRefused,
    JoinRefused,
    LimitReached,
    NotAllowed,
    RateLimited,
    SessionGone,
    TimeUp,
)
from expnet.poll.schema import answers, join_attempts, participants, questions, sessions
from expnet.poll.store import PollStore
from expnet.poll.validate import InvalidInput

from .conftest import FakeClock, ask


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


# -- schema and migrations -------------------------------------------------------------------


def test_migrate_creates_the_latest_schema_once(store: PollStore, engine: Engine) -> None:
    assert store.schema_version() == schema.LATEST_VERSION
    assert store.migrate() == schema.LATEST_VERSION  # idempotent
    names = set(inspect(engine).get_table_names())
    assert {t.name for t in schema.metadata.sorted_tables} <= names
    with engine.connect() as conn:
        rows = conn.execute(select(schema.migrations_table.c.version)).scalars().all()
    assert sorted(rows) == [m.version for m in schema.MIGRATIONS]


def test_upgrade_from_version_1_keeps_the_data(engine: Engine, clock: FakeClock) -> None:
    old = PollStore(engine, clock=clock, migrate=False)
    assert old.schema_version() == 0
    assert old.migrate(target=1) == 1
    assert "poll_join_attempts" not in inspect(engine).get_table_names()
    now_ms = int(clock() * 1000)
    with engine.begin() as conn:  # a class session written by version 1
        conn.execute(
            insert(sessions).values(
                code="ABCDEF",
                title="before the upgrade",
                host_token_hash=hashlib.sha256(b"host").hexdigest(),
                created_at=now_ms,
                expires_at=now_ms + 3_600_000,
            )
        )
    new = PollStore(engine, clock=clock)  # migrates on start
    assert new.schema_version() == schema.LATEST_VERSION
    hosted = new.hosted("host")
    assert hosted is not None and hosted.title == "before the upgrade"
    joined = new.join("abc-def", "10.0.0.1", "Ada")  # needs version 2's tables
    assert joined.session.id == hosted.id


def test_upgrade_widens_answers_written_as_32_characters(engine: Engine, clock: FakeClock) -> None:
    """A PostgreSQL database made before version 3 holds answers of at most 32 characters;
    the upgrade makes room for the answer grammar's 120 (SQLite never enforced the length)."""
    old = PollStore(engine, clock=clock, migrate=False)
    assert old.migrate(target=2) == 2
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE poll_answers ALTER COLUMN text TYPE varchar(32)"))
    new = PollStore(engine, clock=clock)
    assert new.schema_version() == schema.LATEST_VERSION
    (column,) = [c for c in inspect(engine).get_columns("poll_answers") if c["name"] == "text"]
    assert column["type"].length == 120


def test_upgrade_to_version_4_adds_the_countdown_and_keeps_the_questions(
    engine: Engine, clock: FakeClock
) -> None:
    """A version-3 database had no ``deadline_at``: its questions come through with none."""
    old = PollStore(engine, clock=clock, migrate=False)
    assert old.migrate(target=3) == 3
    hosted = old.open_session()
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE poll_questions DROP COLUMN deadline_at"))
        conn.execute(
            insert(questions).values(
                session_id=hosted.session.id,
                seq=1,
                key="a1_1",
                prompt="before the upgrade",
                true_value=0.881,
                state="open",
                opened_at=int(clock() * 1000),
            )
        )
    new = PollStore(engine, clock=clock)
    assert new.schema_version() == 4
    (question,) = new.questions(hosted.session.id)
    assert question.prompt == "before the upgrade" and question.deadline_at is None
    timed = ask(new, hosted, "a1_2", seconds=30)
    assert timed.deadline_at == clock() + 30


def test_a_newer_schema_is_refused(store: PollStore, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(schema.migrations_table).values(version=99, name="future", applied_at=0)
        )
    with pytest.raises(schema.SchemaTooNew, match="upgrade expnet"):
        store.migrate()


def test_replicas_starting_together_migrate_once(engine: Engine, clock: FakeClock) -> None:
    barrier = threading.Barrier(6)

    def start() -> int:
        barrier.wait()
        return PollStore(engine, clock=clock).schema_version()

    with ThreadPoolExecutor(6) as pool:
        versions = list(pool.map(lambda _: start(), range(6)))
    assert versions == [schema.LATEST_VERSION] * 6
    assert _count(engine, schema.migrations_table) == len(schema.MIGRATIONS)


# -- class sessions --------------------------------------------------------------------------


def test_open_session_gives_a_code_and_a_host_token(store: PollStore) -> None:
    hosted = store.open_session("Lecture 3")
    code = hosted.session.code
    assert normalize_code(code) == code and len(code) == 6
    assert hosted.session.title == "Lecture 3"
    assert store.hosted(hosted.host_token) == hosted.session
    assert store.hosted("not the token") is None
    other = store.open_session()
    assert other.session.code != code and other.host_token != hosted.host_token


def test_host_token_is_checked(store: PollStore) -> None:
    hosted = store.open_session()
    with pytest.raises(NotAllowed):
        store.ask(hosted.session.id, "wrong", key="k", prompt="?", true_value=1.0)
    q = ask(store, hosted)
    with pytest.raises(NotAllowed):
        store.reveal(q.id, "wrong")
    with pytest.raises(NotAllowed):
        store.end_session(hosted.session.id, "wrong")


def test_asking_moves_on_and_reveals_the_previous_question(store: PollStore) -> None:
    hosted = store.open_session()
    q1 = ask(store, hosted, "a1_1", 0.881)
    assert store.current_question(hosted.session.id) == q1 and q1.state == "open"
    q2 = ask(store, hosted, "a1_2", 0.622)
    assert q2.seq == q1.seq + 1
    assert store.current_question(hosted.session.id) == q2
    first = store.question(q1.id)
    assert first is not None and first.revealed
    assert [q.key for q in store.questions(hosted.session.id)] == ["a1_1", "a1_2"]
    revealed = store.reveal(q2.id, hosted.host_token)
    assert revealed.revealed and revealed.revealed_at is not None
    assert store.current_question(hosted.session.id) == revealed  # stays until the next one


def test_question_inputs_are_bounded(make_store: Callable[..., PollStore]) -> None:
    store = make_store(max_questions=2)
    hosted = store.open_session()
    with pytest.raises(InvalidInput):
        ask(store, hosted, "k" * 81)
    with pytest.raises(InvalidInput):
        ask(store, hosted, spec={"blob": "x" * 200_000})
    with pytest.raises(InvalidInput):
        ask(store, hosted, value=float("nan"))
    ask(store, hosted)
    ask(store, hosted)
    with pytest.raises(LimitReached):
        ask(store, hosted)


# -- joining -----------------------------------------------------------------------------------


def test_join_with_code_as_typed(store: PollStore) -> None:
    hosted = store.open_session()
    typed = format_code(hosted.session.code).lower().replace("-", " - ")
    joined = store.join(typed, "10.0.0.1", "  Ada\u200b  Lovelace ")
    assert joined.session.id == hosted.session.id
    assert joined.participant.nickname == "Ada Lovelace"
    found = store.participant(joined.token)
    assert found is not None and found[0] == joined.participant
    assert store.participant("nope") is None
    anonymous = store.join(hosted.session.code, "10.0.0.1")
    assert anonymous.participant.nickname is None
    assert store.participant_count(hosted.session.id) == 2


@pytest.mark.parametrize("bad", ["", "ABC", "ABCDEFG", "ABCDE0", "ABCDEI", "12345!", "x" * 1000])
def test_malformed_codes_are_refused_without_a_lookup(
    store: PollStore, engine: Engine, bad: str
) -> None:
    with pytest.raises(JoinRefused, match="letters and digits"):
        store.join(bad, "10.0.0.1")
    assert _count(engine, join_attempts) == 0


def test_nickname_is_bounded(store: PollStore) -> None:
    hosted = store.open_session()
    with pytest.raises(InvalidInput):
        store.join(hosted.session.code, "10.0.0.1", "n" * 25)


def _wrong(code: str) -> str:
    return "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"


def test_failed_joins_are_rate_limited_per_browser(
    make_store: Callable[..., PollStore], clock: FakeClock
) -> None:
    store = make_store(join_failures_per_browser=5, join_window_s=60)
    hosted = store.open_session()
    clock.now = 1_800_000_000.0  # the start of a window
    for _ in range(5):
        with pytest.raises(JoinRefused):
            store.join(_wrong(hosted.session.code), "10.0.0.1", browser_id="tab-a")
    with pytest.raises(RateLimited) as limited:
        # even the right code: not looked up
        store.join(hosted.session.code, "10.0.0.1", browser_id="tab-a")
    assert 0 < limited.value.retry_after_s <= 60
    clock.advance(60)
    store.join(hosted.session.code, "10.0.0.1", browser_id="tab-a")  # a new window


def test_one_browsers_wrong_codes_do_not_lock_out_its_neighbours(
    make_store: Callable[..., PollStore],
) -> None:
    """21 wrong codes from one browser, then a second browser behind the same address (a
    school's NAT, loopback, a proxy) types the right code: it gets in."""
    slept: list[float] = []
    store = make_store()
    store.sleep = slept.append
    hosted = store.open_session()
    outcomes = []
    for _ in range(21):
        try:
            store.join(_wrong(hosted.session.code), "192.0.2.7", browser_id="guesser")
        except (JoinRefused, RateLimited) as err:
            outcomes.append(type(err).__name__)
    assert outcomes.count("JoinRefused") == store.settings.join_failures_per_browser
    assert "RateLimited" in outcomes  # the guessing browser itself is stopped
    joined = store.join(hosted.session.code, "192.0.2.7", "Ada", browser_id="classmate")
    assert joined.session.id == hosted.session.id
    assert slept == []  # below the address's limit: not even slowed


def test_a_flood_of_wrong_codes_slows_guessing_but_lets_the_right_code_in(
    make_store: Callable[..., PollStore],
) -> None:
    """30 addresses x 20 failures reach the global cap: further attempts wait their turn
    (``window / global cap`` seconds each, one at a time), none is refused for the cap."""
    slept: list[float] = []
    store = make_store(join_failures_global=100, join_window_s=60)
    store.sleep = slept.append
    hosted = store.open_session()
    wrong = _wrong(hosted.session.code)
    refused = 0
    for address in range(30):
        for attempt in range(20):
            with pytest.raises((JoinRefused, RateLimited)) as err:
                store.join(wrong, f"10.9.0.{address}", browser_id=f"b{address}-{attempt % 2}")
            refused += err.type is JoinRefused
    assert refused == 600  # every wrong code looked up and refused as wrong...
    assert len(slept) == 500 and set(slept) == {60 / 100}  # ...past the cap, slowly
    joined = store.join(hosted.session.code, "10.9.9.9", browser_id="late student")
    assert joined.session.id == hosted.session.id
    assert len(slept) == 501


def test_one_address_past_its_limit_is_slowed_not_refused(
    make_store: Callable[..., PollStore],
) -> None:
    slept: list[float] = []
    store = make_store(join_failures_per_client=4, join_failures_global=600)
    store.sleep = slept.append
    hosted = store.open_session()
    for i in range(6):
        with pytest.raises(JoinRefused):
            store.join(_wrong(hosted.session.code), "192.0.2.7", browser_id=f"tab{i}")
    assert slept == [15.0, 15.0]  # 60 s / 4 failures: as slow as the limit says
    store.join(hosted.session.code, "192.0.2.7", browser_id="tab9")
    assert len(slept) == 3
    store.join(hosted.session.code, "192.0.2.8", browser_id="elsewhere")  # other addresses
    assert len(slept) == 3  # are not slowed


def test_successful_joins_do_not_count(make_store: Callable[..., PollStore]) -> None:
    """A class behind one NAT address joins together: only failures count."""
    store = make_store(join_failures_per_client=3, join_failures_per_browser=3)
    hosted = store.open_session()
    for _ in range(40):
        store.join(hosted.session.code, "192.0.2.7")


def test_parallel_guesses_cannot_pass_the_limit(
    make_store: Callable[..., PollStore], engine: Engine
) -> None:
    store = make_store(join_failures_per_browser=7)
    store.open_session()
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def guess(_: int) -> None:
        barrier.wait()
        try:
            store.join("ZZZZZZ", "203.0.113.9")
        except RateLimited:
            outcomes.append("limited")
        except JoinRefused:
            outcomes.append("refused")

    with ThreadPoolExecutor(20) as pool:
        list(pool.map(guess, range(20)))
    assert outcomes.count("refused") == 7
    assert outcomes.count("limited") == 13


def test_client_addresses_are_not_stored(store: PollStore, engine: Engine) -> None:
    with pytest.raises(JoinRefused):
        store.join("ZZZZZZ", "198.51.100.23")
    with engine.connect() as conn:
        buckets = conn.execute(select(join_attempts.c.bucket)).scalars().all()
    assert buckets and all("198.51" not in b for b in buckets)


def test_participants_are_bounded(make_store: Callable[..., PollStore]) -> None:
    store = make_store(max_participants=3)
    hosted = store.open_session()
    for _ in range(3):
        store.join(hosted.session.code, "10.0.0.1")
    with pytest.raises(LimitReached):
        store.join(hosted.session.code, "10.0.0.1")


# -- answers -----------------------------------------------------------------------------------


def test_a_later_answer_replaces_the_earlier_one(store: PollStore, engine: Engine) -> None:
    hosted = store.open_session()
    q = ask(store, hosted)
    ada = store.join(hosted.session.code, "10.0.0.1", "Ada")
    bob = store.join(hosted.session.code, "10.0.0.2")
    first = store.submit(ada.token, q.id, "0.9")
    assert first.revision == 1 and first.value == 0.9
    second = store.submit(ada.token, q.id, " 0,881 ")
    assert second.revision == 2 and second.value == 0.881 and second.text == "0,881"
    store.submit(bob.token, q.id, "-1e-1")
    got = store.answers(q.id)
    assert [(a.nickname, a.value, a.revision) for a in got] == [("Ada", 0.881, 2), (None, -0.1, 1)]
    assert _count(engine, answers) == 2
    mine = store.my_answer(ada.token, q.id)
    assert mine is not None and mine.text == "0,881"
    assert store.my_answer(bob.token, q.id + 1000) is None


def test_answers_depending_on_y(store: PollStore) -> None:
    hosted = store.open_session()
    q = ask(store, hosted, "grad:W2_11", 0.070184405, true_coefs=(-0.248632699,))
    assert q.true_coefs == (-0.248632699,) and q.outputs == 1
    ada = store.join(hosted.session.code, "10.0.0.1")
    answer = store.submit(ada.token, q.id, "0.0702 − 0.2486y")
    assert (answer.value, answer.coefs) == (0.0702, (-0.2486,))
    assert store.answers(q.id)[0].coefs == (-0.2486,)
    with pytest.raises(InvalidInput, match="depends on y"):
        store.submit(ada.token, q.id, "0.07")


@pytest.mark.parametrize(
    "bad", ["", "abc", "1/2", "2**10", "__import__('os')", "nan", "1e101", "9" * 121]
)
def test_bad_answers_are_refused(store: PollStore, bad: str) -> None:
    hosted = store.open_session()
    q = ask(store, hosted)
    ada = store.join(hosted.session.code, "10.0.0.1")
    with pytest.raises(InvalidInput):
        store.submit(ada.token, q.id, bad)
    assert store.answers(q.id) == []


def test_no_answers_after_the_reveal(store: PollStore) -> None:
    hosted = store.open_session()
    q = ask(store, hosted)
    ada = store.join(hosted.session.code, "10.0.0.1")
    store.reveal(q.id, hosted.host_token)
    with pytest.raises(AnswerRefused, match="closed"):
        store.submit(ada.token, q.id, "0.88")


def test_answers_only_to_questions_of_ones_own_session(store: PollStore) -> None:
    a = store.open_session()
    b = store.open_session()
    qb = ask(store, b)
    ada = store.join(a.session.code, "10.0.0.1")
    with pytest.raises(AnswerRefused):
        store.submit(ada.token, qb.id, "1")
    with pytest.raises(SessionGone):
        store.submit("not a token", qb.id, "1")


def test_sixty_students_at_once_every_answer_stored_exactly_once(
    store: PollStore, engine: Engine
) -> None:
    hosted = store.open_session()
    q = ask(store, hosted)
    students = [store.join(hosted.session.code, f"10.0.{i // 250}.{i % 250}") for i in range(60)]
    barrier = threading.Barrier(60)

    def answer(i: int) -> None:
        barrier.wait()
        store.submit(students[i].token, q.id, f"0.{i:03d}")
        store.submit(students[i].token, q.id, f"{i}.5")  # a change of mind

    with ThreadPoolExecutor(60) as pool:
        list(pool.map(answer, range(60)))
    got = store.answers(q.id)
    assert len(got) == 60 == _count(engine, answers)
    assert sorted(a.value for a in got) == [i + 0.5 for i in range(60)]
    assert {a.revision for a in got} == {2}


def test_an_answer_racing_the_reveal_is_either_kept_or_refused(store: PollStore) -> None:
    hosted = store.open_session()
    q = ask(store, hosted)
    students = [store.join(hosted.session.code, "10.0.0.1") for _ in range(30)]
    accepted: list[int] = []
    barrier = threading.Barrier(31)

    def answer(i: int) -> None:
        barrier.wait()
        try:
            store.submit(students[i].token, q.id, str(i))
            accepted.append(i)
        except AnswerRefused:
            pass

    def reveal() -> None:
        barrier.wait()
        store.reveal(q.id, hosted.host_token)

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(30)]
    threads.append(threading.Thread(target=reveal))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(int(a.value) for a in store.answers(q.id)) == sorted(accepted)


# -- expiry and cleanup ------------------------------------------------------------------------


def test_sessions_expire_and_are_cleaned_up(
    make_store: Callable[..., PollStore], clock: FakeClock, engine: Engine
) -> None:
    store = make_store(session_ttl_s=3600, cleanup_interval_s=86400)  # only explicit ones
    old = store.open_session()
    q = ask(store, old)
    ada = store.join(old.session.code, "10.0.0.1")
    store.submit(ada.token, q.id, "0.88")
    with pytest.raises(JoinRefused):
        store.join("ZZZZZZ" if old.session.code != "ZZZZZZ" else "YYYYYY", "10.0.0.9")
    clock.advance(1800)
    young = store.open_session()
    qy = ask(store, young)
    bob = store.join(young.session.code, "10.0.0.2")
    store.submit(bob.token, qy.id, "1")
    clock.advance(1801)  # the first session is past its hour
    assert store.hosted(old.host_token) is None
    assert store.participant(ada.token) is None
    with pytest.raises(JoinRefused):
        store.join(old.session.code, "10.0.0.3")
    with pytest.raises(SessionGone):
        store.submit(ada.token, q.id, "0.9")
    with pytest.raises(SessionGone):
        ask(store, old)
    report = store.cleanup()
    assert report.sessions == 1 and report.join_windows >= 1
    assert _count(engine, sessions) == 1
    assert _count(engine, participants) == 1
    assert _count(engine, questions) == 1
    assert _count(engine, answers) == 1
    assert store.participant(bob.token) is not None  # the young session is untouched
    assert [a.value for a in store.answers(qy.id)] == [1.0]


def test_ended_sessions_are_cleaned_up(store: PollStore, engine: Engine) -> None:
    hosted = store.open_session()
    q = ask(store, hosted)
    store.end_session(hosted.session.id, hosted.host_token)
    ended = store.question(q.id)
    assert ended is not None and ended.revealed
    assert store.hosted(hosted.host_token) is None
    store.cleanup()
    assert _count(engine, sessions) == 0 and _count(engine, questions) == 0


def test_cleanup_runs_by_itself_now_and_then(
    make_store: Callable[..., PollStore], clock: FakeClock, engine: Engine
) -> None:
    store = make_store(session_ttl_s=600, cleanup_interval_s=300)
    store.open_session()
    clock.advance(601)
    store.open_session()  # runs the first cleanup of this store
    assert _count(engine, sessions) == 1
    clock.advance(601)
    store.open_session()
    assert _count(engine, sessions) == 1


def test_open_sessions_are_bounded(make_store: Callable[..., PollStore]) -> None:
    store = make_store(max_active_sessions=2)
    store.open_session()
    store.open_session()
    with pytest.raises(LimitReached):
        store.open_session()


def test_session_lifetime_is_configurable() -> None:
    assert PollSettings.from_env({"EXPNET_POLL_SESSION_HOURS": "1.5"}).session_ttl_s == 5400
    with pytest.raises(ValueError):
        PollSettings.from_env({"EXPNET_POLL_SESSION_HOURS": "forever"})
    with pytest.raises(ValueError):
        PollSettings(session_ttl_s=1.0)


def test_opening_class_sessions_is_limited_per_browser_and_per_address(
    make_store: Callable[..., PollStore], clock: FakeClock
) -> None:
    """One browser opens at most ``opens_per_browser`` class sessions a window, one address
    at most ``opens_per_client`` over all its browsers; the refusal says when to try again
    and is not counted; other addresses, and the next window, open as before."""
    store = make_store(opens_per_browser=3, opens_per_client=5, open_window_s=3600)
    clock.now = 1_800_000_000.0 - 1_800_000_000.0 % 3600  # the start of a window
    for _ in range(3):
        store.open_session(client_id="192.0.2.7", browser_id="teacher")
    with pytest.raises(RateLimited, match="from this browser.*try again in 60 minutes"):
        store.open_session(client_id="192.0.2.7", browser_id="teacher")
    store.open_session(client_id="192.0.2.7", browser_id="colleague")
    store.open_session(client_id="192.0.2.7", browser_id="colleague")
    with pytest.raises(RateLimited, match="from this address"):
        store.open_session(client_id="192.0.2.7", browser_id="third")
    assert len([store.open_session(client_id="192.0.2.8", browser_id="b") for _ in range(3)])
    store.cleanup()  # the hour's counts outlive the join attempts' one-minute windows
    with pytest.raises(RateLimited):
        store.open_session(client_id="192.0.2.7", browser_id="fourth")
    clock.advance(3600)
    store.open_session(client_id="192.0.2.7", browser_id="teacher")


def test_a_flood_of_openings_from_one_client_leaves_room_for_the_teacher(
    make_store: Callable[..., PollStore],
) -> None:
    """A script opening class sessions as fast as it can, as one client, is stopped long
    before the server's cap; the teacher elsewhere still opens one."""
    store = make_store(max_active_sessions=50)
    opened = refused = 0
    for i in range(200):
        try:
            store.open_session(client_id="198.51.100.9", browser_id=f"script{i}")
            opened += 1
        except RateLimited:
            refused += 1
    assert opened == store.settings.opens_per_client and refused == 200 - opened
    assert store.open_session(client_id="203.0.113.5", browser_id="teacher").session.code


# -- the countdown ---------------------------------------------------------------------------


def test_an_answer_at_the_deadline_counts_and_one_just_after_is_refused(
    store: PollStore, clock: FakeClock
) -> None:
    """Asked at t with 30 s: the deadline is t + 30 s, by the store's clock. An answer
    stamped at t + 30 s exactly is kept; one a millisecond later is refused in words that
    name the time (UTC); the answer kept before stays."""
    clock.now = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC
    hosted = store.open_session()
    q = ask(store, hosted, seconds=30)
    assert (q.deadline_at, q.opened_at) == (1_800_000_030.0, 1_800_000_000.0)
    assert q.seconds_left(clock()) == 30
    ada = store.join(hosted.session.code, "10.0.0.1", "Ada")
    bob = store.join(hosted.session.code, "10.0.0.2", "Bob")
    clock.advance(30)
    assert q.seconds_left(clock()) == 0
    assert store.submit(ada.token, q.id, "0.88").submitted_at == 1_800_000_030.0
    clock.advance(0.001)
    with pytest.raises(TimeUp) as late:
        store.submit(bob.token, q.id, "0.9")
    assert str(late.value) == "Time is up: answers closed at 08:00:30 UTC."
    assert late.value.deadline == 1_800_000_030.0
    with pytest.raises(AnswerRefused):  # a change of mind is late too
        store.submit(ada.token, q.id, "0.881")
    assert [(a.nickname, a.text) for a in store.answers(q.id)] == [("Ada", "0.88")]


@pytest.mark.parametrize("seconds", [None, 0, 0.0])
def test_no_countdown_leaves_answers_open_until_the_reveal(
    store: PollStore, clock: FakeClock, seconds: float | None
) -> None:
    hosted = store.open_session()
    q = ask(store, hosted, seconds=seconds)
    assert q.deadline_at is None and q.seconds_left(clock()) is None
    ada = store.join(hosted.session.code, "10.0.0.1")
    clock.advance(3 * 3600 - 1)
    store.submit(ada.token, q.id, "0.88")


@pytest.mark.parametrize("bad", [-1, 3601, float("nan"), float("inf"), "30", True])
def test_a_countdown_is_bounded(store: PollStore, bad: object) -> None:
    hosted = store.open_session()
    with pytest.raises(InvalidInput, match="countdown"):
        ask(store, hosted, seconds=bad)
    assert store.questions(hosted.session.id) == []


def test_the_countdown_is_shared_by_replicas(engine: Engine, clock: FakeClock) -> None:
    """Asked on one server, refused on another: the deadline lives in the database."""
    teacher_side = PollStore(engine, clock=clock)
    student_side = PollStore(engine, clock=clock)
    hosted = teacher_side.open_session()
    q = ask(teacher_side, hosted, seconds=5)
    ada = student_side.join(hosted.session.code, "10.0.0.1")
    shown = student_side.current_question(hosted.session.id)
    assert shown is not None and shown.deadline_at == q.deadline_at
    clock.advance(6)
    with pytest.raises(TimeUp):
        student_side.submit(ada.token, q.id, "0.88")


# -- resetting a question's answers ----------------------------------------------------------


def test_reset_deletes_the_answers_and_restarts_the_countdown(
    store: PollStore, clock: FakeClock, engine: Engine
) -> None:
    hosted = store.open_session()
    other = store.open_session()
    q = ask(store, hosted, seconds=20)
    kept = ask(store, other)
    ada = store.join(hosted.session.code, "10.0.0.1")
    bob = store.join(other.session.code, "10.0.0.2")
    store.submit(ada.token, q.id, "0.88")
    store.submit(bob.token, kept.id, "0.5")
    with pytest.raises(NotAllowed):
        store.reset_answers(q.id, other.host_token)
    assert len(store.answers(q.id)) == 1
    clock.advance(25)  # the countdown is over
    again = store.reset_answers(q.id, hosted.host_token)
    assert store.answers(q.id) == [] and store.my_answer(ada.token, q.id) is None
    assert (again.opened_at, again.deadline_at) == (clock(), clock() + 20)
    assert again.state == "open" and again.seq == q.seq
    assert [a.text for a in store.answers(kept.id)] == ["0.5"]  # another class untouched
    assert store.submit(ada.token, q.id, "0.881").revision == 1  # a fresh start


def test_a_revealed_question_keeps_its_answers(store: PollStore) -> None:
    hosted = store.open_session()
    q = ask(store, hosted)
    ada = store.join(hosted.session.code, "10.0.0.1")
    store.submit(ada.token, q.id, "0.88")
    store.reveal(q.id, hosted.host_token)
    with pytest.raises(AnswerRefused, match="keeps its answers"):
        store.reset_answers(q.id, hosted.host_token)
    assert len(store.answers(q.id)) == 1


# -- what the export reads -------------------------------------------------------------------


def test_a_class_sessions_participants_and_answers(store: PollStore, clock: FakeClock) -> None:
    hosted = store.open_session()
    elsewhere = store.open_session()
    q1 = ask(store, hosted, "a1_1")
    ada = store.join(hosted.session.code, "10.0.0.1", "Ada")
    bob = store.join(hosted.session.code, "10.0.0.2")
    eve = store.join(elsewhere.session.code, "10.0.0.3", "Eve")
    store.submit(bob.token, q1.id, "1")
    clock.advance(1)
    store.submit(ada.token, q1.id, "0.88")
    q2 = ask(store, hosted, "a1_2")
    store.submit(ada.token, q2.id, "0.6")
    store.submit(eve.token, ask(store, elsewhere).id, "3")
    assert [(p.id, p.nickname) for p in store.participants(hosted.session.id)] == [
        (ada.participant.id, "Ada"),
        (bob.participant.id, None),
    ]
    got = [(a.question_id, a.nickname, a.text) for a in store.session_answers(hosted.session.id)]
    assert got == [(q1.id, None, "1"), (q1.id, "Ada", "0.88"), (q2.id, "Ada", "0.6")]


# -- the phones' shared watch ---------------------------------------------------------------


def test_waiting_phones_share_one_reading_of_the_class_session(
    make_store: Callable[..., PollStore], engine: Engine, clock: FakeClock
) -> None:
    """A replica's waiting phones read a class session once per ``watch_ttl_s`` between
    them; the teacher's ask, reveal and end on another replica (another store on the same
    database) reach them at the next reading, and nothing changes while nothing happens."""
    from sqlalchemy import event

    phones = make_store(watch_ttl_s=0.5)  # the replica that serves the phones
    teacher = make_store()  # the replica that serves the projector
    hosted = teacher.open_session()
    sid = hosted.session.id
    queries: list[str] = []

    def count(*args: object) -> None:
        if str(args[2]).lstrip().upper().startswith("SELECT"):
            queries.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert phones.watch(sid) == (True, None)
        q = ask(teacher, hosted)
        queries.clear()
        # 300 phones check within the same half second: one query, the old state
        for _ in range(300):
            assert phones.watch(sid) == (True, None)
        assert queries == []
        clock.advance(0.5)
        live, seen = phones.watch(sid)
        assert live and seen is not None and (seen.id, seen.state) == (q.id, "open")
        assert len(queries) == 1
        clock.advance(0.5)
        assert phones.watch(sid) == (True, seen)  # no change: the same state
        teacher.reveal(q.id, hosted.host_token)
        clock.advance(0.5)
        live, seen = phones.watch(sid)
        assert live and seen is not None and seen.state == "revealed"
        teacher.end_session(sid, hosted.host_token)
        clock.advance(0.5)
        assert phones.watch(sid)[0] is False
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_page_s_own_reading_is_fresh_and_shared_with_the_waiting_phones(
    make_store: Callable[..., PollStore], clock: FakeClock
) -> None:
    """A page's run reads the class session now (``fresh``), not the shared reading of up to
    half a second ago, and the phones' next checks share that newer reading: what the page
    draws and what its watcher counts down are the same question."""
    phones = make_store(watch_ttl_s=0.5)
    teacher = make_store()
    hosted = teacher.open_session()
    sid = hosted.session.id
    assert phones.watch(sid) == (True, None)  # shared: no question yet
    q = ask(teacher, hosted)
    assert phones.watch(sid) == (True, None)  # within the half second: the old reading
    live, seen = phones.watch(sid, fresh=True)
    assert live and seen is not None and seen.id == q.id
    assert phones.watch(sid) == (True, seen)  # the check after it: the page's reading


def test_a_class_session_past_its_time_or_unknown_is_not_live(
    store: PollStore, clock: FakeClock
) -> None:
    hosted = store.open_session(ttl_s=600)
    assert store.watch(hosted.session.id)[0] is True
    clock.advance(601)
    assert store.watch(hosted.session.id)[0] is False
    assert store.watch(10**9) == (False, None)
