"""Database models: players, rounds with their statements or options, and answers."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    ScalarSelect,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.extensions import db
from quizapp.rules.rounds import ResultsVisibility, RoundKind

USERNAME_MAX = 32
TITLE_MAX = 200
INTRO_MAX = 2000
STATEMENT_MAX = 1000
EXPLANATION_MAX = 2000
OPTION_MAX = 300
SERIES_MAX = 120


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX))
    # NFKC + casefold of the username: what uniqueness is decided on.
    username_key: Mapped[str] = mapped_column(String(4 * USERNAME_MAX), unique=True)
    # Lookalike key (Latin "Admin" vs Cyrillic "Аdmin"); unique, so two racing sign-ups of lookalikes can't both win.
    username_skeleton: Mapped[str] = mapped_column(String(4 * USERNAME_MAX), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_curator: Mapped[bool] = mapped_column(Boolean, default=False)
    # Written into each session at login; logging out or changing the password moves it on, and a session
    # carrying an older one no longer acts for the account, on any worker (see quizapp.access).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def is_guest(self) -> bool:
        return self.password_hash is None

    def set_password(self, password: str) -> None:
        # Configurable so the test suite can use a cheap hash; production keeps werkzeug's default (scrypt).
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def end_sessions(self) -> None:
        """End every session signed in to this account so far (the caller commits)."""
        self.session_generation += 1

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)


class Series(db.Model):
    __tablename__ = "series"
    __table_args__ = (UniqueConstraint("curator_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    curator_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(SERIES_MAX))

    rounds: Mapped[list[Round]] = relationship(back_populates="series", order_by="Round.id")


class AnswerTally(db.Model):
    """How many answers a round has, in TALLY_SLOTS rows per round, kept by the database (COUNT_ANSWERS).

    Not a counter on the round's row: every answer to a round would update that one row at commit, and
    PostgreSQL holds a row's lock until the commit is on disk, so concurrent answers to one round would wait
    for each other's disk flush, one at a time (about 370 a second on a disk that flushes in 2.7 ms). Answers
    are spread over the slots by player, so those committing together rarely share a row and the database
    flushes their commits together.
    """

    __tablename__ = "answer_tally"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)


def counted_answers(round_id: Any) -> ScalarSelect[int]:
    """The number of answers of the round whose id is `round_id` (a column), for SELECTs of rounds."""
    tally = AnswerTally.__table__
    return select(func.coalesce(func.sum(tally.c.answers), 0)).where(tally.c.round_id == round_id).scalar_subquery()


class Round(db.Model):
    """A round as it is written (editor, import, CLI); pages read RoundSnapshot (quizapp/snapshots.py)."""

    __tablename__ = "round"

    id: Mapped[int] = mapped_column(primary_key=True)
    curator_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=RoundKind.FACTS)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    intro: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    results_visibility: Mapped[str] = mapped_column(String(12), default=ResultsVisibility.AFTER_CLOSE)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Read, never written: the database counts answers into AnswerTally (see COUNT_ANSWERS).
    answer_count: Mapped[int] = column_property(counted_answers(id))

    curator: Mapped[User] = relationship()
    series: Mapped[Series | None] = relationship(back_populates="rounds")
    statements: Mapped[list[Statement]] = relationship(
        back_populates="round", order_by="Statement.position", cascade="all, delete-orphan"
    )
    options: Mapped[list[Option]] = relationship(
        back_populates="round", order_by="Option.position", cascade="all, delete-orphan"
    )


class Statement(db.Model):
    __tablename__ = "statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    is_false: Mapped[bool] = mapped_column(Boolean, default=False)
    explanation: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="statements")


class Option(db.Model):
    __tablename__ = "option"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(OPTION_MAX))
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)

    round: Mapped[Round] = relationship(back_populates="options")


class Answer(db.Model):
    """One player's final answer to one round; the unique constraint makes it final."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("round_id", "player_id"),
        CheckConstraint("points >= 0 AND points <= max_points", name="points_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (round_id, player_id) key leads with it.
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("option.id", ondelete="CASCADE"))
    # Scored on arrival so leaderboards are one GROUP BY; only shown once the round has closed.
    points: Mapped[int] = mapped_column(Integer, default=0)
    max_points: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    player: Mapped[User] = relationship()
    round: Mapped[Round] = relationship()
    marks: Mapped[list[Mark]] = relationship(cascade="all, delete-orphan")


class Mark(db.Model):
    """A statement a player marked as false."""

    __tablename__ = "mark"
    # Keyed by what it is, a statement of an answer, in one B-tree on SQLite: each answer writes its marks
    # into one structure, not a table and a unique index beside it.
    __table_args__ = {"sqlite_with_rowid": False}

    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)


# The database counts a round's answers as they are inserted, by whatever code: lists, the live count and the
# editor's lock read the tally, and the answer path, the busiest write, is spared a statement. A player's answer
# goes into slot player_id % TALLY_SLOTS (AnswerTally says why). On PostgreSQL it runs at commit (a deferred
# constraint trigger), so an answer holds its slot's row lock for the commit alone. Migration 0007 creates the
# same trigger; DDL() formats with %, so the modulo is written %%. SQLite drops a table's triggers when a batch
# migration rebuilds it: a migration that alters the answer table must create the trigger again.
TALLY_SLOTS = 16
COUNT_ANSWERS = {
    "sqlite": [
        f"""CREATE TRIGGER count_answer AFTER INSERT ON answer FOR EACH ROW
        BEGIN INSERT INTO answer_tally (round_id, slot, answers) VALUES (NEW.round_id, NEW.player_id %% {TALLY_SLOTS}, 1)
        ON CONFLICT (round_id, slot) DO UPDATE SET answers = answers + 1; END""",
    ],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION count_answer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO answer_tally (round_id, slot, answers) VALUES (NEW.round_id, NEW.player_id %% {TALLY_SLOTS}, 1)
        ON CONFLICT (round_id, slot) DO UPDATE SET answers = answer_tally.answers + 1; RETURN NULL; END $$""",
        """CREATE CONSTRAINT TRIGGER count_answer AFTER INSERT ON answer DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION count_answer()""",
    ],
}
for _dialect, _statements in COUNT_ANSWERS.items():
    for _sql in _statements:
        event.listen(Answer.__table__, "after_create", DDL(_sql).execute_if(dialect=_dialect))


CHANNEL_URL_MAX = 500
CHANNEL_SECRET_MAX = 300


class Channel(db.Model):
    """Where a series' rounds (or, without a series, every round of the site) are announced."""

    __tablename__ = "channel"
    __table_args__ = (
        CheckConstraint("kind IN ('telegram', 'discord', 'slack', 'webhook')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a site-wide channel, which admins keep and which announces every round.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    # The webhook's address; empty for Telegram, whose Bot API address is the TELEGRAM_API_URL setting.
    url: Mapped[str] = mapped_column(String(CHANNEL_URL_MAX), default="")
    # The bot token (Telegram) or the signing key (webhook); never shown back in full.
    secret: Mapped[str] = mapped_column(String(CHANNEL_SECRET_MAX), default="")
    chat_id: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The last test message (the channels page's Test button, sent by the consumer): when, and the error if any.
    tested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    test_error: Mapped[str] = mapped_column(Text, default="")

    series: Mapped[Series | None] = relationship()


class Announcement(db.Model):
    """The outbox: one row per channel, round and event, written when the event is scheduled, marked when sent.

    Huey does not acknowledge tasks, so a task lost with a consumer would lose its message; the row stays
    unsent instead, and the periodic sweep sends it.
    """

    __tablename__ = "announcement"
    __table_args__ = (UniqueConstraint("channel_id", "round_id", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # The round's times the event was planned from: a row whose round has other times now is not sent.
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # pending, sent, skipped (stale or long overdue) or failed (refused, or out of retries).
    state: Mapped[str] = mapped_column(String(10), default="pending")
    # The same for every attempt, so a receiver that got an attempt whose answer was lost can tell a repeat.
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A consumer sending the row holds it until then; past it, a consumer that died mid-send is presumed gone.
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    channel: Mapped[Channel] = relationship()
    round: Mapped[Round] = relationship()
