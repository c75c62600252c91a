"""Database models: players, rounds with their statements or options, and answers."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
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
    # Kept up to date by the database (see COUNT_ANSWERS) so lists never count rows per round.
    answer_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

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
# editor's lock read the counter, and the answer path, the busiest write, is spared a statement.
# On PostgreSQL it runs at commit (a deferred constraint trigger), so concurrent answers hold the round's row
# lock for the commit alone, not for the rest of their transaction. Migration 0003 creates the same trigger. SQLite drops a table's triggers when a batch migration rebuilds it:
# a migration that alters the answer table must create the trigger again.
COUNT_ANSWERS = {
    "sqlite": [
        """CREATE TRIGGER count_answer AFTER INSERT ON answer FOR EACH ROW
        BEGIN UPDATE "round" SET answer_count = answer_count + 1 WHERE id = NEW.round_id; END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION count_answer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN UPDATE "round" SET answer_count = answer_count + 1 WHERE id = NEW.round_id; RETURN NULL; END $$""",
        """CREATE CONSTRAINT TRIGGER count_answer AFTER INSERT ON answer DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION count_answer()""",
    ],
}
for _dialect, _statements in COUNT_ANSWERS.items():
    for _sql in _statements:
        event.listen(Answer.__table__, "after_create", DDL(_sql).execute_if(dialect=_dialect))
