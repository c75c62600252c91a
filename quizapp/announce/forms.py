"""The form that adds a channel; the buttons that test or remove one post an EmptyForm."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from quizapp.models import CHANNEL_SECRET_MAX, CHANNEL_URL_MAX

SITE = "site"
KIND_CHOICES = [
    SelectChoice("webhook", _l("Webhook (signed JSON)")),
    SelectChoice("telegram", "Telegram"),
    SelectChoice("discord", "Discord"),
    SelectChoice("slack", "Slack"),
]
LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("ru", "Русский")]


class ChannelForm(FlaskForm):
    # Filled per request: the site (for admins) and the curator's series.
    target = SelectField(_l("Announce the rounds of"), validators=[DataRequired()])
    kind = SelectField(_l("Where"), choices=KIND_CHOICES, validators=[DataRequired()])
    url = StringField(_l("Webhook address"), validators=[Length(max=CHANNEL_URL_MAX)],
                      description=_l("Discord, Slack and webhooks: the address to post to. Not for Telegram."),
                      render_kw={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"})
    # A password field: the browser neither shows nor keeps it, and the page never sends it back.
    secret = PasswordField(_l("Bot token or signing secret"), validators=[Length(max=CHANNEL_SECRET_MAX)],
                           description=_l("Telegram: the bot's token. Webhook: the key to sign with; "
                                          "leave it empty to get a new one."),
                           render_kw={"autocomplete": "off"})
    chat_id = StringField(_l("Telegram chat"), validators=[Length(max=100)],
                          description=_l("Telegram only: @channelname or the chat's number."),
                          render_kw={"autocomplete": "off", "spellcheck": "false"})
    language = SelectField(_l("Language of the messages"), choices=LANGUAGE_CHOICES)
