"""The live class poll: students answer from their phones, the projector shows the room.

The store (``PollStore``) is SQLAlchemy Core on SQLite or PostgreSQL and imports no
Streamlit; ``expnet.poll.st_adapter`` is the one module that does, to get the engine through
``st.connection``. ``summary`` turns a question's answers into what the projector shows.
"""

from .codes import ALPHABET, format_code, new_code, normalize_code
from .config import PollSettings, database_url
from .engine import prepare_engine
from .grading import Verdict, grader_for
from .records import (
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
)
from .store import PollStore
from .summary import Summary, summarize
from .validate import InvalidInput, ParsedAnswer, clean_nickname, parse_answer

__all__ = [
    "ALPHABET",
    "Answer",
    "AnswerRefused",
    "ClassSession",
    "CleanupReport",
    "HostedSession",
    "InvalidInput",
    "JoinRefused",
    "Joined",
    "LimitReached",
    "NotAllowed",
    "ParsedAnswer",
    "Participant",
    "PollError",
    "PollSettings",
    "PollStore",
    "Question",
    "RateLimited",
    "SessionGone",
    "Summary",
    "Verdict",
    "clean_nickname",
    "database_url",
    "format_code",
    "grader_for",
    "new_code",
    "normalize_code",
    "parse_answer",
    "prepare_engine",
    "summarize",
]
