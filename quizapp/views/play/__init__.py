"""The participant's pages: registration, the timed attempt (start, answer, submit, result) and their own
results across contests ("Kết quả của tôi").

Everything works without JavaScript (plain forms, server-rendered time and answers); ``static/unit-picker.js``
adds the accent-insensitive unit search and ``static/attempt.js`` the countdown, the instant saving of each answer
(with an offline queue) and the submit confirmation.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("play", __name__)

from quizapp.views.play import account, attempt, my_results, register  # noqa: E402,F401  (registers the routes)
