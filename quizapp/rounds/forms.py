"""The round editor's forms: facts statements or poll options, plus the schedule."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, Length, Optional

from quizapp.models import (
    EXPLANATION_MAX,
    INTRO_MAX,
    OPTION_MAX,
    STATEMENT_MAX,
    TITLE_MAX,
    USERNAME_MAX,
)
from quizapp.rules.validity import MAX_OPTIONS, MAX_STATEMENTS
from quizapp.zones import canonical_zone

# SelectChoice, not (value, label) tuples: WTForms 3.3 deprecates tuples and drops them in 3.4.
CLOSE_CHOICES = [
    SelectChoice("1h", _l("in 1 hour")),
    SelectChoice("1d", _l("in 1 day")),
    SelectChoice("3d", _l("in 3 days")),
    SelectChoice("1w", _l("in 1 week")),
    SelectChoice("custom", _l("at a time I choose")),
]


# WTForms' own message (translated by WTForms), so the catalog needs no new string.
NOT_A_DATETIME = "Not a valid datetime value."


class RoundTimeField(DateTimeLocalField):
    """A datetime-local field that refuses years where adding a time zone offset or a week would overflow."""

    FIRST, LAST = datetime(1970, 1, 1), datetime(9999, 1, 1)

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.FIRST <= self.data <= self.LAST:
            self.data = None
            raise ValueError(self.gettext(NOT_A_DATETIME))


class StatementForm(Form):
    text = TextAreaField(_l("Statement"), validators=[Length(max=STATEMENT_MAX)])
    is_false = BooleanField(_l("This one is false"))
    explanation = TextAreaField(_l("The story behind it (shown at the reveal)"), validators=[Length(max=EXPLANATION_MAX)])


NO_CORRECT = "none"


class OptionForm(Form):
    text = StringField(_l("Option"), validators=[Length(max=OPTION_MAX)])
    is_correct = BooleanField(_l("Correct answer"))


class TimeZoneField(SelectField):
    """A time zone by its IANA id, one of those quizapp.zones offers; an old alias ("Asia/Calcutta") reads as its zone."""

    def __init__(self, label: Any = None, **kwargs: Any) -> None:
        # The choices are checked here, not against the list: an alias is no choice, yet means one.
        super().__init__(label, validate_choice=False, render_kw={"class": "js-tz"}, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = canonical_zone(valuelist[0])
        if self.data is None:
            raise ValueError(_("Choose a time zone from the list."))


class ScheduleMixin:
    opens_at = RoundTimeField(
        _l("Opens at (leave empty to open at once)"), validators=[Optional()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )
    closes_choice = RadioField(_l("Closes"), choices=CLOSE_CHOICES, default="1d")
    closes_at = RoundTimeField(
        _l("Closing time"), validators=[Optional()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )
    tz = TimeZoneField(_l("Time zone"))


class FactsRoundForm(ScheduleMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=TITLE_MAX)])
    intro = TextAreaField(_l("Intro (optional)"), validators=[Length(max=INTRO_MAX)])
    series = StringField(_l("Series (optional)"), validators=[Length(max=120)],
                         description=_l("Group rounds, for example a guest host's week; each series has its own leaderboard."))
    paste = TextAreaField(
        _l("Paste a list"),
        description=_l("Numbered lines, bullets, or paragraphs separated by blank lines: one statement each."),
        validators=[Length(max=STATEMENT_MAX * MAX_STATEMENTS)],
    )
    # Drafts are saved unchecked, so the row count is capped here: no round may ever hold more.
    statements = FieldList(FormField(StatementForm),
                           validators=[Length(max=MAX_STATEMENTS, message=_l("A facts round has 2 to 30 statements."))])


class PollRoundForm(ScheduleMixin, FlaskForm):
    title = StringField(_l("Question"), validators=[Length(max=TITLE_MAX)])
    intro = TextAreaField(_l("Intro (optional)"), validators=[Length(max=INTRO_MAX)])
    series = StringField(_l("Series (optional)"), validators=[Length(max=120)],
                         description=_l("Group rounds, for example a guest host's week; each series has its own leaderboard."))
    results_visibility = RadioField(
        _l("Voters see the results"),
        choices=[SelectChoice("after_vote", _l("right after voting")), SelectChoice("after_close", _l("only after the poll closes"))],
        default="after_vote",
        description=_l("Quiz polls (with a correct answer) always keep results hidden until the close."),
    )
    options = FieldList(FormField(OptionForm), validators=[Length(max=MAX_OPTIONS, message=_l("A poll has 2 to 10 options."))])
    # The editor's one choice of correct option (radio buttons): a row's number, or NO_CORRECT for an opinion poll.
    correct = StringField()

    def process(self, formdata: Any = None, obj: Any = None, data: Any = None, extra_filters: Any = None,
                **kwargs: Any) -> None:
        """Read the form, then mark the row the correct-answer choice names; the rows carry the mark from here on
        (moving, checking, saving). Without that choice in the form, the rows' own marks stand."""
        super().process(formdata, obj, data, extra_filters, **kwargs)
        choice = self.correct.raw_data[0] if self.correct.raw_data else None
        if choice is None:
            return
        rows = list(self.options)
        if choice != NO_CORRECT and choice not in {str(index) for index in range(len(rows))}:
            self.correct.process_errors.append(_("Choose the correct answer among the options, or no correct answer."))
            return
        for index, row in enumerate(rows):
            row.form.is_correct.data = choice == str(index)


class ExtendForm(FlaskForm):
    closes_choice = RadioField(_l("Extend until"), choices=CLOSE_CHOICES[:-1] + [SelectChoice("custom", _l("a time I choose"))], default="1d")
    closes_at = RoundTimeField(_l("New closing time"), validators=[Optional()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
    tz = TimeZoneField(_l("Time zone"))


class PromoteForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter a username.")), Length(max=4 * USERNAME_MAX)])


class ImportForm(FlaskForm):
    file = FileField(
        _l("Rounds file (JSON)"),
        validators=[FileRequired(_l("Choose a file to import."))],
        description=_l("The two-truths/rounds@1 format, as exported from here or by the export-rounds command."),
    )
