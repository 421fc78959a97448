"""The timed attempt: start or resume, what the participant sees, saving answers, submitting, and review.

The rules live in ``quizapp.domain.timing`` (deadline, grace, duration, review), ``quizapp.domain.draw`` (the draw)
and ``quizapp.domain.attempts`` (scoring); closing attempts (deadline sweep, round close) and time extensions are
in ``quizapp.services.attempt_closing``. Services flush and never commit; every refusal is an ``AttemptError``.

Concurrency: the database holds rule 3. ``attempts`` has UNIQUE(round_id, user_id, number) and a partial unique
index allowing one ``in_progress`` row per (round, user); a start inserts with ON CONFLICT DO NOTHING and, when a
simultaneous start won, resumes that one. A save or a submit first locks the attempt row (FOR NO KEY UPDATE on
PostgreSQL, the database's write lock on SQLite; every path locks the attempt before its questions, so they queue
instead of deadlocking) and writes only while it is in progress, so an answer cannot slip in after the scoring
and two simultaneous submits give one result (the second finds it submitted and returns that result).

Speed: start, save and submit are the requests of a round (bench/attempt_flow.py); their statements are built
once, run on the session's connection without ORM rows, and are as few as the rules allow. Other pages use the
ORM as usual.
"""

from quizapp.domain.attempts import AttemptError
from quizapp.services.attempts.locked import MAX_PREDICTION
from quizapp.services.attempts.payload import attempt_payload
from quizapp.services.attempts.review import review_payload
from quizapp.services.attempts.save import SavedAnswers, save_answers
from quizapp.services.attempts.start import StartedAttempt, start_or_resume, start_refusal
from quizapp.services.attempts.submission import SubmitResult, attempt_result, submit

__all__ = ["MAX_PREDICTION", "AttemptError", "SavedAnswers", "StartedAttempt", "SubmitResult", "attempt_payload",
           "attempt_result", "review_payload", "save_answers", "start_or_resume", "start_refusal", "submit"]
