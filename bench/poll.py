"""Class poll benchmark: 60 students submit their answers at the same moment.

    .venv/bin/python bench/poll.py                    # SQLite and PostgreSQL, 60 students, 5 rounds
    .venv/bin/python bench/poll.py --students 120 --rounds 3 --backends sqlite

For each backend (SQLite in WAL mode in a temporary folder; PostgreSQL started for the run
from Debian's packages, as the tests do) the store is opened with the app's own engine
options, a class session is opened and the students join. Then, per round, the teacher asks
a question and every student submits from their own thread, all released together by a
barrier; half of them change their mind once (a second submission that must replace the
first). Meanwhile a teacher thread runs the live view's query (``store.answers``) in a loop.

Reported per backend: submission latency (p50, p95, max), the time from the release until
the teacher's query sees every final answer, the teacher query's own duration with all
answers in, and whether every answer was stored exactly once with its final value. The live
view refreshes every second, so what the projector shows lags the query by up to that.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from expnet.poll.config import engine_options  # noqa: E402
from expnet.poll.store import PollStore  # noqa: E402
from tests.harness import refuse_outside_loopback  # noqa: E402

refuse_outside_loopback()  # a bench sends traffic only to this machine's loopback


@dataclass
class Round:
    submit_s: list[float]
    all_visible_s: float
    query_s: float
    exactly_once: bool


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/poll.sqlite3"
        return
    from tests.poll.pgserver import find_bin_dir, pg_server

    if find_bin_dir() is None:
        raise SystemExit("PostgreSQL is not installed: apt-get install -y postgresql")
    with pg_server() as server:
        yield server.create_database("bench")


def run_round(store: PollStore, hosted, tokens: list[str], seq: int) -> Round:  # type: ignore[no-untyped-def]
    question = store.ask(
        hosted.session.id,
        hosted.host_token,
        key=f"bench{seq}",
        prompt="bench",
        true_value=0.5,
    )
    n = len(tokens)
    final = {i: f"{seq}.{i:03d}" for i in range(n)}
    go = threading.Event()
    released = [0.0]
    done = threading.Event()
    seen_all = [float("nan")]

    def student(i: int) -> float:
        go.wait()
        start = time.perf_counter()
        if i % 2:
            store.submit(tokens[i], question.id, "-1")  # a first thought...
        store.submit(tokens[i], question.id, final[i])  # ...replaced by the final answer
        return time.perf_counter() - start

    def teacher() -> None:
        go.wait()
        while not done.is_set():
            answers = store.answers(question.id)
            if len(answers) == n and all(
                a.text == final[i] for i, a in _by_student(answers, tokens)
            ):
                seen_all[0] = time.perf_counter() - released[0]
                return
            time.sleep(0.005)

    index_of = {store.participant(t)[0].id: i for i, t in enumerate(tokens)}  # type: ignore[index]

    def _by_student(answers, tokens):  # type: ignore[no-untyped-def]
        return [(index_of[a.participant_id], a) for a in answers]

    watcher = threading.Thread(target=teacher)
    watcher.start()
    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(student, i) for i in range(n)]
        time.sleep(0.3)  # every student thread is waiting
        released[0] = time.perf_counter()
        go.set()
        latencies = [f.result() for f in futures]
    watcher.join(timeout=30)
    done.set()

    start = time.perf_counter()
    answers = store.answers(question.id)
    query_s = time.perf_counter() - start
    pairs = _by_student(answers, tokens)
    exactly_once = (
        len(answers) == n
        and len({a.participant_id for a in answers}) == n
        and all(a.text == final[i] for i, a in pairs)
        and all(a.revision == (2 if i % 2 else 1) for i, a in pairs)
    )
    store.reveal(question.id, hosted.host_token)
    return Round(latencies, seen_all[0], query_s, exactly_once)


def bench(backend: str, students: int, rounds: int) -> dict[str, object]:
    with ExitStack() as stack:
        url = stack.enter_context(database(backend))
        engine = create_engine(url, **engine_options(url))  # type: ignore[arg-type]
        stack.callback(engine.dispose)
        store = PollStore(engine)
        hosted = store.open_session("bench")
        tokens = [
            store.join(hosted.session.code, f"10.0.{i // 250}.{i % 250}", f"s{i}").token
            for i in range(students)
        ]
        results = [run_round(store, hosted, tokens, seq) for seq in range(1, rounds + 1)]
    submits = [s for r in results for s in r.submit_s]
    visible = [r.all_visible_s for r in results]
    return {
        "backend": backend,
        "students": students,
        "rounds": rounds,
        "submit p50 ms": 1000 * statistics.median(submits),
        "submit p95 ms": 1000 * _percentile(submits, 95),
        "submit max ms": 1000 * max(submits),
        "all visible p50 ms": 1000 * statistics.median(visible),
        "all visible max ms": 1000 * max(visible),
        "teacher query ms": 1000 * statistics.median(r.query_s for r in results),
        "stored exactly once": all(r.exactly_once for r in results),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    if not 1 <= args.students <= 500 or not 1 <= args.rounds <= 50:
        parser.error("1-500 students, 1-50 rounds")
    rows = [bench(b.strip(), args.students, args.rounds) for b in args.backends.split(",")]
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        cells = [f"{v:.1f}" if isinstance(v, float) else str(v) for v in row.values()]
        print("| " + " | ".join(cells) + " |")
    print(
        "\nsubmit: one student's submission (two for the half that change their mind); all "
        "visible: from the moment all are released until the teacher's query returns every "
        "final answer; the live view adds up to its 1 s refresh."
    )
    return 0 if all(row["stored exactly once"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
