"""The poll store: class sessions, join codes, questions and answers in a SQL database.

SQLAlchemy Core only, no Streamlit: the same code runs on SQLite (the embedded default, in
WAL mode, set up by ``engine``) and on PostgreSQL (shared by replicas). Every public method is
one short transaction; PostgreSQL runs at READ COMMITTED and the few read-then-write steps
lock the row they depend on. The records it returns are in ``records``, the tables and their
migrations in ``schema``. One job, one class (``PollStore``), so it stays one module: its
methods share the transaction helpers, the locks and the rate-limit lanes.

Secrets (the teacher's host token, a student's participant token) are random 256-bit
strings handed to the browser; only their SHA-256 is stored. Client addresses used for rate
limiting are stored only as salted hashes. Answers carry no identity beyond the optional
nickname.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Select,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from . import schema
from .codes import new_code, normalize_code
from .config import PollSettings
from .engine import WRITE_OPTION, dialect_insert, prepare_engine
from .records import (
    CLOSED,
    Answer,
    AnswerRefused,
    ClassSession,
    CleanupReport,
    HostedSession,
    Joined,
    JoinRefused,
    LimitReached,
    NotAllowed,
    Participant,
    PollError,
    Question,
    RateLimited,
    SessionGone,
    TimeUp,
    answer_of,
    coefs_of,
    ms,
    participant_of,
    question_of,
    session_of,
)
from .schema import answers, join_attempts, participants, questions, sessions
from .validate import (
    MAX_ANSWER_TEXT,
    MAX_KEY,
    MAX_PROMPT,
    MAX_SPEC_BYTES,
    MAX_TITLE,
    InvalidInput,
    bounded_text,
    clean_nickname,
    countdown_seconds,
    parse_answer,
)

R = TypeVar("R")
_GLOBAL_BUCKET = "*"
OPEN_PREFIX = "open:"  # buckets counting class sessions opened, not join attempts


def _window(now: float, window_s: int) -> tuple[int, float]:
    """The fixed window ``now`` falls in: its start in ms (the key of its counts) and the
    seconds until it ends."""
    start = int(now // window_s) * window_s
    return start * 1000, start + window_s - now


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# -- the store ------------------------------------------------------------------------------


class PollStore:
    """All reads and writes of the class poll. Thread-safe: share one per engine.

    ``clock`` returns seconds since the epoch; tests pass a fake one to expire sessions.
    Every time the store writes or compares (expiry, a question's countdown, an answer's
    time) is this clock's, never the database's: replicas sharing a database keep their
    clocks in step (NTP), as they already must for the expiry of class sessions.
    """

    def __init__(
        self,
        engine: Engine,
        settings: PollSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        migrate: bool = True,
    ) -> None:
        self.engine = prepare_engine(engine)
        self.settings = settings or PollSettings()
        self.clock = clock
        self.sleep = sleep
        # Join attempts past the global limit wait in one lane, those of an address past its
        # limit in that address's lane (striped: addresses share 64 locks).
        self._slow_lane = threading.Lock()
        self._address_lanes = [threading.Lock() for _ in range(64)]
        self._last_cleanup = float("-inf")
        self._cleanup_lock = threading.Lock()
        self._client_key: bytes | None = None
        self._watched: dict[int, tuple[float, tuple[bool, Question | None]]] = {}
        self._watch_lock = threading.Lock()
        self._writer_lock: threading.Lock | contextlib.nullcontext[None] = (
            threading.Lock() if self.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )
        if migrate:
            self.migrate()

    # transactions

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        # SQLite has one writer at a time. Threads of this process queue on a lock instead of
        # on SQLite's busy handler, which sleeps in steps of up to 100 ms and wastes most of
        # the time when a lecture hall answers at once; other processes still meet the busy
        # timeout. PostgreSQL takes row locks and needs no such queue.
        with self._writer_lock, self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _now(self) -> float:
        return float(self.clock())

    # schema

    def migrate(self, target: int = schema.LATEST_VERSION) -> int:
        with self._write() as conn:
            return schema.migrate(conn, ms(self._now()), target)

    def schema_version(self) -> int:
        with self._read() as conn:
            return schema.current_version(conn)

    # teacher ------------------------------------------------------------------------------

    def open_session(
        self,
        title: str = "",
        ttl_s: float | None = None,
        *,
        client_id: str | None = None,
        browser_id: str | None = None,
    ) -> HostedSession:
        """A new class session with a fresh join code. Keep ``host_token`` secret.

        Openings are counted per browser (``browser_id``) and per client address
        (``client_id``) in fixed windows of ``open_window_s``, in the table of join attempts;
        past ``opens_per_browser`` or ``opens_per_client`` the opening is refused with
        ``RateLimited`` (and not counted), so no one client fills the server's
        ``max_active_sessions``. Without either id (the command line) nothing is counted.
        """
        title = bounded_text(title, MAX_TITLE, "a title")
        ttl = self.settings.session_ttl_s if ttl_s is None else float(ttl_s)
        if not (0 < ttl <= 7 * 24 * 3600):
            raise InvalidInput("a class session lives between a second and 7 days")
        self.maybe_cleanup()
        now = self._now()
        window, retry_after = _window(now, self.settings.open_window_s)
        limits = []
        if browser_id:
            limits.append((self._open_bucket("browser:" + browser_id), "opens_per_browser"))
        if client_id:
            limits.append((self._open_bucket(client_id), "opens_per_client"))
        token = secrets.token_urlsafe(32)
        for _ in range(8):
            code = new_code(self.settings.code_length)
            try:
                with self._write() as conn:
                    for bucket, limit in limits:
                        if self._bump(conn, bucket, window, 1) > getattr(self.settings, limit):
                            who = "browser" if limit == "opens_per_browser" else "address"
                            raise RateLimited(  # the transaction rolls back: not counted
                                retry_after,
                                f"too many class sessions were opened from this {who} "
                                "lately (a class session you already opened goes on: "
                                '"Continue a class session" takes its host key)',
                            )
                    active = conn.execute(
                        select(func.count())
                        .select_from(sessions)
                        .where(sessions.c.ended_at.is_(None), sessions.c.expires_at > ms(now))
                    ).scalar_one()
                    if active >= self.settings.max_active_sessions:
                        raise LimitReached("too many class sessions are open; try again later")
                    new_id = conn.execute(
                        insert(sessions)
                        .values(
                            code=code,
                            title=title,
                            host_token_hash=_hash(token),
                            created_at=ms(now),
                            expires_at=ms(now + ttl),
                        )
                        .returning(sessions.c.id)
                    ).scalar_one()
                    row = conn.execute(select(sessions).where(sessions.c.id == new_id)).one()
                return HostedSession(session_of(row), token)
            except IntegrityError:  # the code is taken: draw another
                continue
        raise RuntimeError("could not draw a free join code")  # pragma: no cover

    def hosted(self, host_token: str) -> ClassSession | None:
        """The live class session that ``host_token`` controls (a teacher's reload)."""
        if not isinstance(host_token, str) or len(host_token) > 100:
            return None
        with self._read() as conn:
            row = conn.execute(
                select(sessions).where(sessions.c.host_token_hash == _hash(host_token))
            ).first()
        if row is None:
            return None
        session = session_of(row)
        return session if session.live(self._now()) else None

    def _host_session(self, conn: Connection, session_id: int, host_token: str) -> ClassSession:
        row = conn.execute(
            select(sessions).where(sessions.c.id == session_id).with_for_update()
        ).first()
        if row is None:
            raise SessionGone("this class session is over")
        if not hmac.compare_digest(row._mapping["host_token_hash"], _hash(host_token)):
            raise NotAllowed("not the host of this class session")
        session = session_of(row)
        if not session.live(self._now()):
            raise SessionGone("this class session is over")
        return session

    def ask(
        self,
        session_id: int,
        host_token: str,
        *,
        key: str,
        prompt: str,
        true_value: float | None,
        true_coefs: tuple[float, ...] | list[float] = (),
        spec: dict[str, Any] | None = None,
        seconds: float | None = None,
    ) -> Question:
        """Open a question; it becomes the session's current one, and a question still open
        is revealed first (the class has moved on). ``seconds`` (None or 0: no countdown):
        answers close that long after now, by this store's clock."""
        countdown = countdown_seconds(seconds)
        key = bounded_text(key, MAX_KEY, "a question key")
        prompt = bounded_text(prompt, MAX_PROMPT, "a question")
        spec_text = json.dumps(spec or {}, sort_keys=True, allow_nan=False)
        if len(spec_text.encode()) > MAX_SPEC_BYTES:
            raise InvalidInput("the question's details are too large")
        if true_value is not None:
            true_value = float(true_value)
        coefs = [float(c) for c in true_coefs]
        if len(coefs) > 8 or not all(math.isfinite(c) for c in coefs):
            raise InvalidInput("the true value's y coefficients are not usable")
        if true_value is not None and not math.isfinite(true_value):
            raise InvalidInput("the true value is not finite")
        now = ms(self._now())
        with self._write() as conn:
            self._host_session(conn, session_id, host_token)
            last = conn.execute(
                select(func.max(questions.c.seq)).where(questions.c.session_id == session_id)
            ).scalar()
            seq = int(last or 0) + 1
            if seq > self.settings.max_questions:
                raise LimitReached(f"at most {self.settings.max_questions} questions a session")
            conn.execute(
                update(questions)
                .where(questions.c.session_id == session_id, questions.c.state == "open")
                .values(state="revealed", revealed_at=now)
            )
            qid = conn.execute(
                insert(questions)
                .values(
                    session_id=session_id,
                    seq=seq,
                    key=key,
                    prompt=prompt,
                    true_value=true_value,
                    true_coefs=json.dumps(coefs) if coefs else None,
                    spec=spec_text,
                    state="open",
                    opened_at=now,
                    deadline_at=None if countdown is None else now + ms(countdown),
                )
                .returning(questions.c.id)
            ).scalar_one()
            conn.execute(
                update(sessions).where(sessions.c.id == session_id).values(current_question_id=qid)
            )
            row = conn.execute(select(questions).where(questions.c.id == qid)).one()
        return question_of(row)

    def reveal(self, question_id: int, host_token: str) -> Question:
        """Close the question: no more answers; students see the true value and their result."""
        now = ms(self._now())
        with self._write() as conn:
            row = conn.execute(select(questions).where(questions.c.id == question_id)).first()
            if row is None:
                raise SessionGone("no such question")
            self._host_session(conn, row._mapping["session_id"], host_token)
            conn.execute(
                update(questions)
                .where(questions.c.id == question_id, questions.c.state == "open")
                .values(state="revealed", revealed_at=now)
            )
            row = conn.execute(select(questions).where(questions.c.id == question_id)).one()
        return question_of(row)

    def reset_answers(self, question_id: int, host_token: str) -> Question:
        """Delete every answer to an open question and open it again from now: a countdown
        starts over with its full length. A revealed question keeps its answers."""
        now = ms(self._now())
        with self._write() as conn:
            row = conn.execute(
                select(questions).where(questions.c.id == question_id).with_for_update()
            ).first()
            if row is None:
                raise SessionGone("no such question")
            self._host_session(conn, row._mapping["session_id"], host_token)
            if row._mapping["state"] != "open":
                raise AnswerRefused("a revealed question keeps its answers: ask it again instead")
            conn.execute(delete(answers).where(answers.c.question_id == question_id))
            deadline = row._mapping["deadline_at"]
            length = None if deadline is None else deadline - row._mapping["opened_at"]
            conn.execute(
                update(questions)
                .where(questions.c.id == question_id)
                .values(opened_at=now, deadline_at=None if length is None else now + length)
            )
            row = conn.execute(select(questions).where(questions.c.id == question_id)).one()
        return question_of(row)

    def end_session(self, session_id: int, host_token: str) -> None:
        """End the class session now; its data goes at the next cleanup."""
        now = ms(self._now())
        with self._write() as conn:
            self._host_session(conn, session_id, host_token)
            conn.execute(
                update(questions)
                .where(questions.c.session_id == session_id, questions.c.state == "open")
                .values(state="revealed", revealed_at=now)
            )
            conn.execute(update(sessions).where(sessions.c.id == session_id).values(ended_at=now))

    def _all(self, query: Select[Any], read: Callable[[Row[Any]], R]) -> list[R]:
        """Every row of ``query``, each read into its record."""
        with self._read() as conn:
            return [read(r) for r in conn.execute(query).all()]

    def questions(self, session_id: int) -> list[Question]:
        query = select(questions).where(questions.c.session_id == session_id)
        return self._all(query.order_by(questions.c.seq), question_of)

    def _answers(self) -> Select[Any]:
        return select(answers, participants.c.nickname).join(
            participants, participants.c.id == answers.c.participant_id
        )

    def answers(self, question_id: int) -> list[Answer]:
        """Every answer to the question, oldest first (the teacher's live query)."""
        query = self._answers().where(answers.c.question_id == question_id)
        return self._all(query.order_by(answers.c.submitted_at, answers.c.id), answer_of)

    def session_answers(self, session_id: int) -> list[Answer]:
        """Every answer of the class session, by question then oldest first (the export)."""
        query = (
            self._answers()
            .join(questions, questions.c.id == answers.c.question_id)
            .where(questions.c.session_id == session_id)
            .order_by(questions.c.seq, answers.c.submitted_at, answers.c.id)
        )
        return self._all(query, answer_of)

    def participants(self, session_id: int) -> list[Participant]:
        """Everyone who joined the class session, in the order they joined."""
        query = select(participants).where(participants.c.session_id == session_id)
        return self._all(query.order_by(participants.c.id), participant_of)

    def participant_count(self, session_id: int) -> int:
        with self._read() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(participants)
                    .where(participants.c.session_id == session_id)
                ).scalar_one()
            )

    # student ------------------------------------------------------------------------------

    def client_bucket(self, client_id: str) -> str:
        """The rate-limit bucket of a client address: a keyed hash (the key is a secret of
        this database), never the address itself."""
        if self._client_key is None:
            with self._read() as conn:
                value = conn.execute(
                    select(schema.secrets_table.c.value).where(
                        schema.secrets_table.c.name == "client_key"
                    )
                ).scalar_one()
            self._client_key = bytes.fromhex(value)
        return hmac.new(self._client_key, client_id.encode(), hashlib.sha256).hexdigest()[:40]

    def _open_bucket(self, client_id: str) -> str:
        """The bucket that counts the class sessions a client opens (``OPEN_PREFIX``: kept
        for the longer window at cleanup)."""
        return OPEN_PREFIX + self.client_bucket(client_id)

    def _bump(self, conn: Connection, bucket: str, window: int, by: int) -> int:
        ins = dialect_insert(conn, join_attempts).values(
            bucket=bucket, window_start=window, failures=max(by, 0)
        )
        stmt = ins.on_conflict_do_update(
            index_elements=[join_attempts.c.bucket, join_attempts.c.window_start],
            set_={"failures": join_attempts.c.failures + by},
        ).returning(join_attempts.c.failures)
        return int(conn.execute(stmt).scalar_one())

    def join(
        self,
        code: str,
        client_id: str,
        nickname: str | None = None,
        *,
        browser_id: str | None = None,
    ) -> Joined:
        """Join the class session with this code.

        Failed attempts are counted per browser (``browser_id``: its session; by default the
        client), per client (``client_id``: its address) and for all clients together, in
        fixed windows. A browser past its limit gets ``RateLimited`` without a look-up. An
        address or the whole server past its limit is slowed instead of refused: the attempt
        waits its turn in the address's lane (``join_window_s / join_failures_per_client``
        seconds per attempt) and in the process's global lane (``join_window_s /
        join_failures_global``), so one guesser cannot lock out a class behind the same
        address or the whole server, and guessing stays as slow as the limits say. Each
        attempt is counted up front and taken back when it succeeds, so parallel guesses
        cannot slip past a limit.
        """
        nickname = clean_nickname(nickname)
        normal = normalize_code(code, self.settings.code_length)
        if normal is None:
            raise JoinRefused(
                f"a join code has {self.settings.code_length} letters and digits "
                "(no 0, 1, I, L or O)"
            )
        self.maybe_cleanup()
        now = self._now()
        window_s = self.settings.join_window_s
        window, retry_after = _window(now, window_s)
        address = self.client_bucket(client_id)
        browser = self.client_bucket("browser:" + browser_id) if browser_id else address
        buckets = list(dict.fromkeys((browser, address, _GLOBAL_BUCKET)))
        outcome: Joined | PollError
        with self._write() as conn:
            counts = {b: self._bump(conn, b, window, 1) for b in buckets}
            if counts[browser] > self.settings.join_failures_per_browser:
                raise RateLimited(retry_after)  # the transaction rolls back: not counted
            lanes = []
            if counts[address] > self.settings.join_failures_per_client:
                lane = self._address_lanes[int(address[:8], 16) % len(self._address_lanes)]
                lanes.append((lane, window_s / self.settings.join_failures_per_client))
            if counts[_GLOBAL_BUCKET] > self.settings.join_failures_global:
                lanes.append((self._slow_lane, window_s / self.settings.join_failures_global))
            if not lanes:
                outcome = self._seat(conn, normal, nickname, now, buckets, window)
        if lanes:
            for lane, pause in lanes:  # one attempt at a time per lane, ``pause`` apart
                with lane:
                    self.sleep(pause)
            with self._write() as conn:
                outcome = self._seat(conn, normal, nickname, self._now(), buckets, window)
        if isinstance(outcome, PollError):
            raise outcome
        return outcome

    def _seat(
        self,
        conn: Connection,
        code: str,
        nickname: str | None,
        now: float,
        buckets: list[str],
        window: int,
    ) -> Joined | PollError:
        """Look the code up and seat a participant; a hit takes its counted failure back.
        A refusal is returned, not raised, so that the transaction keeps the count."""
        row = conn.execute(
            select(sessions).where(
                sessions.c.code == code,
                sessions.c.ended_at.is_(None),
                sessions.c.expires_at > ms(now),
            )
        ).first()
        if row is None:
            return JoinRefused("no class session with this code (or it is over)")
        for b in buckets:
            self._bump(conn, b, window, -1)
        session = session_of(row)
        count = conn.execute(
            select(func.count())
            .select_from(participants)
            .where(participants.c.session_id == session.id)
        ).scalar_one()
        if count >= self.settings.max_participants:
            return LimitReached("this class session is full")
        token = secrets.token_urlsafe(32)
        pid = conn.execute(
            insert(participants)
            .values(
                session_id=session.id,
                token_hash=_hash(token),
                nickname=nickname,
                joined_at=ms(now),
            )
            .returning(participants.c.id)
        ).scalar_one()
        return Joined(Participant(pid, session.id, nickname, now), session, token)

    def participant(self, token: str) -> tuple[Participant, ClassSession] | None:
        """The participant holding ``token`` and its session, if that session is live."""
        if not isinstance(token, str) or len(token) > 100:
            return None
        with self._read() as conn:
            row = conn.execute(
                select(participants, sessions.c.id.label("sid"))
                .join(sessions, sessions.c.id == participants.c.session_id)
                .where(participants.c.token_hash == _hash(token))
            ).first()
            if row is None:
                return None
            srow = conn.execute(select(sessions).where(sessions.c.id == row.sid)).one()
        session = session_of(srow)
        if not session.live(self._now()):
            return None
        return participant_of(row), session

    def rename(self, token: str, nickname: str | None) -> None:
        nickname = clean_nickname(nickname)
        with self._write() as conn:
            conn.execute(
                update(participants)
                .where(participants.c.token_hash == _hash(token))
                .values(nickname=nickname)
            )

    def current_question(self, session_id: int) -> Question | None:
        """The question the teacher has reached (open, or revealed until the next one)."""
        with self._read() as conn:
            row = conn.execute(
                select(questions)
                .join(sessions, sessions.c.current_question_id == questions.c.id)
                .where(sessions.c.id == session_id)
            ).first()
        return None if row is None else question_of(row)

    def watch(self, session_id: int, *, fresh: bool = False) -> tuple[bool, Question | None]:
        """(live, current question) of a class session, for the phones waiting on it: one
        query by primary key, and one answer shared by every phone of this process for
        ``watch_ttl_s``, so a lecture hall of waiting phones costs the database a query or
        two a second. Every replica reads the database, so a change made through another
        replica reaches its phones as fast (a change shows at most ``watch_ttl_s`` later).
        ``fresh``: read the database now (a page's own run), and share that newer reading."""
        now = self._now()
        with self._watch_lock:
            cached = self._watched.get(session_id)
            if not fresh and cached is not None and now - cached[0] < self.settings.watch_ttl_s:
                return cached[1]
        with self._read() as conn:
            row = conn.execute(
                select(sessions.c.ended_at, sessions.c.expires_at, *questions.c)
                .select_from(
                    sessions.outerjoin(questions, questions.c.id == sessions.c.current_question_id)
                )
                .where(sessions.c.id == session_id)
            ).first()
        if row is None:
            seen: tuple[bool, Question | None] = (False, None)
        else:
            session_live = row.ended_at is None and ms(now) < row.expires_at
            seen = (session_live, None if row.id is None else question_of(row))
        with self._watch_lock:
            if len(self._watched) > 4 * self.settings.max_active_sessions:
                self._watched.clear()  # ended class sessions are never asked for again
            self._watched[session_id] = (now, seen)
        return seen

    def question(self, question_id: int) -> Question | None:
        with self._read() as conn:
            row = conn.execute(select(questions).where(questions.c.id == question_id)).first()
        return None if row is None else question_of(row)

    def submit(self, token: str, question_id: int, text: str) -> Answer:
        """Store the student's answer to an open question; a later one replaces it.
        After the question's countdown (``TimeUp``) it is refused; one stamped exactly at the
        deadline, in milliseconds of this store's clock, is kept.

        One row per (question, participant), enforced by a unique constraint and written as
        an upsert (``INSERT ... ON CONFLICT DO UPDATE``), so double clicks, retries and two
        tabs never make a second answer. The question row is read with a share lock
        (PostgreSQL), so an answer cannot slip in after the teacher has revealed.
        """
        if not isinstance(text, str) or len(text) > 4 * MAX_ANSWER_TEXT:
            raise InvalidInput(f"at most {MAX_ANSWER_TEXT} characters, please")
        now = self._now()
        with self._write() as conn:
            prow = conn.execute(
                select(participants.c.id, participants.c.session_id, participants.c.nickname).where(
                    participants.c.token_hash == _hash(token)
                )
            ).first()
            if prow is None:
                raise SessionGone("you are not in a class session: join again")
            qrow = conn.execute(
                select(
                    questions.c.session_id,
                    questions.c.state,
                    questions.c.true_coefs,
                    questions.c.deadline_at,
                )
                .where(questions.c.id == question_id)
                .with_for_update(read=True)
            ).first()
            if qrow is None or qrow.session_id != prow.session_id:
                raise AnswerRefused("no such question in your class session")
            srow = conn.execute(
                select(sessions.c.expires_at, sessions.c.ended_at).where(
                    sessions.c.id == prow.session_id
                )
            ).one()
            if srow.ended_at is not None or srow.expires_at <= ms(now):
                raise SessionGone("this class session is over")
            if qrow.state != "open":
                raise AnswerRefused(CLOSED)
            if qrow.deadline_at is not None and ms(now) > qrow.deadline_at:
                raise TimeUp(qrow.deadline_at / 1000)  # one at the deadline itself counts
            coefs = coefs_of(qrow.true_coefs)
            parsed = parse_answer(text, len(coefs), depends=any(c != 0 for c in coefs))
            ins = dialect_insert(conn, answers).values(
                question_id=question_id,
                participant_id=prow.id,
                text=parsed.text,
                value=parsed.value,
                coefs=json.dumps(list(parsed.coefs)) if parsed.coefs else None,
                submitted_at=ms(now),
                revision=1,
            )
            stmt = ins.on_conflict_do_update(
                index_elements=[answers.c.question_id, answers.c.participant_id],
                set_={
                    "text": ins.excluded.text,
                    "value": ins.excluded.value,
                    "coefs": ins.excluded.coefs,
                    "submitted_at": ins.excluded.submitted_at,
                    "revision": answers.c.revision + 1,
                },
            ).returning(answers.c.revision)
            revision = int(conn.execute(stmt).scalar_one())
        return Answer(
            question_id,
            prow.id,
            prow.nickname,
            parsed.text,
            parsed.value,
            parsed.coefs,
            now,
            revision,
        )

    def my_answer(self, token: str, question_id: int) -> Answer | None:
        with self._read() as conn:
            row = conn.execute(
                select(answers, participants.c.nickname)
                .join(participants, participants.c.id == answers.c.participant_id)
                .where(
                    participants.c.token_hash == _hash(token),
                    answers.c.question_id == question_id,
                )
            ).first()
        return None if row is None else answer_of(row)

    # teachers -----------------------------------------------------------------------------

    def teacher_key(self) -> str:
        """The secret of teacher links (``/classroom?teacher=<key>``), which show answer keys:
        ``EXPNET_TEACHER_KEY`` if set, else drawn once and kept in this database, so replicas
        sharing it agree and a restart keeps the teacher's link working."""
        configured = os.environ.get("EXPNET_TEACHER_KEY", "").strip()
        if configured:
            return configured
        with self._write() as conn:
            conn.execute(
                dialect_insert(conn, schema.secrets_table)
                .values(name="teacher_key", value=secrets.token_urlsafe(24))
                .on_conflict_do_nothing(index_elements=[schema.secrets_table.c.name])
            )
            return str(
                conn.execute(
                    select(schema.secrets_table.c.value).where(
                        schema.secrets_table.c.name == "teacher_key"
                    )
                ).scalar_one()
            )

    def is_teacher_key(self, text: str) -> bool:
        if not isinstance(text, str) or not 8 <= len(text) <= 200:
            return False
        return hmac.compare_digest(text.encode(), self.teacher_key().encode())

    # maintenance --------------------------------------------------------------------------

    def cleanup(self) -> CleanupReport:
        """Delete class sessions that have expired or ended (with their participants,
        questions and answers) and rate-limit windows that are over."""
        now = ms(self._now())
        window_ms = self.settings.join_window_s * 1000
        with self._write() as conn:
            gone = select(sessions.c.id).where(
                (sessions.c.expires_at <= now) | sessions.c.ended_at.is_not(None)
            )
            gone_questions = select(questions.c.id).where(questions.c.session_id.in_(gone))
            gone_participants = select(participants.c.id).where(participants.c.session_id.in_(gone))
            # Children first, explicitly: no reliance on ON DELETE CASCADE being enabled.
            conn.execute(delete(answers).where(answers.c.question_id.in_(gone_questions)))
            conn.execute(delete(answers).where(answers.c.participant_id.in_(gone_participants)))
            conn.execute(delete(questions).where(questions.c.session_id.in_(gone)))
            conn.execute(delete(participants).where(participants.c.session_id.in_(gone)))
            n_sessions = conn.execute(
                delete(sessions).where(
                    (sessions.c.expires_at <= now) | sessions.c.ended_at.is_not(None)
                )
            ).rowcount
            opens = join_attempts.c.bucket.startswith(OPEN_PREFIX)
            open_window_ms = self.settings.open_window_s * 1000
            n_windows = conn.execute(
                delete(join_attempts).where(
                    (~opens & (join_attempts.c.window_start + window_ms <= now))
                    | (opens & (join_attempts.c.window_start + open_window_ms <= now))
                )
            ).rowcount
        self._last_cleanup = self._now()
        return CleanupReport(int(n_sessions or 0), int(n_windows or 0))

    def maybe_cleanup(self) -> CleanupReport | None:
        """``cleanup`` at most once per ``settings.cleanup_interval_s`` in this process."""
        if self._now() - self._last_cleanup < self.settings.cleanup_interval_s:
            return None
        if not self._cleanup_lock.acquire(blocking=False):
            return None
        try:
            if self._now() - self._last_cleanup < self.settings.cleanup_interval_s:
                return None
            return self.cleanup()
        finally:
            self._cleanup_lock.release()
