"""Benchmark: the item analysis (question quality) of a round of 1,000,000 finished attempts × 20 questions
(20,000,000 attempt questions) drawn from a bank of 400, as the statistics API and the judges' page compute it
(``quizapp.services.statistics.round_statistics``). Target on the reference machine (2 cores): < 10 s.

Fills a FRESH database: the round, people and attempts of ``bench.ranking``'s generator, then a bank and each
attempt's 20 questions written straight through the driver (PostgreSQL COPY). An attempt's right answers are its
score's worth of its easiest questions (each question's difficulty plus noise), so that the figures look like a
real round's (positive discrimination); the wrong ones pick a distractor, or nothing (1 in 10).

    .venv/bin/python -m bench.item_analysis --database-url postgresql://root@127.0.0.1:5432/EMPTY_DB   # EMPTIED
    options: --attempts N --participants N --bank N --runs N --reuse (measure an existing fill again)
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
from collections import Counter

import numpy as np
import pandas as pd

from bench.ranking import NOW, ROOT, bench_app, peak_mb

QUESTIONS_PER_ATTEMPT = 20
OPTIONS = 4
CHUNK = 50_000  # attempts per COPY batch (1,000,000 attempt-question rows)


def fill_questions(url: str, *, bank: int, seed: int = 2027) -> None:
    """A bank of ``bank`` questions (4 options, A the key) and the questions of every attempt of the round."""
    from sqlalchemy import insert, text

    from quizapp.extensions import db
    from quizapp.models import Bank, Option, Question

    rng = np.random.default_rng(seed)
    with bench_app(url).app_context():
        bank_row = Bank(name="Ngân hàng đo hiệu năng", created_at=NOW)
        db.session.add(bank_row)
        db.session.flush()
        db.session.execute(insert(Question), [
            {"id": q, "bank_id": bank_row.id, "text": f"Câu hỏi đo hiệu năng số {q}?", "text_hash": f"{q:064d}",
             "search_key": f"cau hoi do hieu nang so {q}", "topic": "Đo hiệu năng", "created_at": NOW}
            for q in range(1, bank + 1)])
        db.session.execute(insert(Option), [
            {"id": (q - 1) * OPTIONS + p + 1, "question_id": q, "position": p, "text": f"Phương án {'ABCD'[p]}",
             "is_correct": p == 0} for q in range(1, bank + 1) for p in range(OPTIONS)])
        db.session.commit()
        attempts = pd.DataFrame(db.session.execute(text(
            "SELECT id, correct_count FROM attempts ORDER BY id")).all(), columns=["id", "score"])
        difficulty = rng.normal(0, 1, bank)
        option_order = np.array([",".join(str((q - 1) * OPTIONS + p + 1) for p in range(OPTIONS))
                                 for q in range(1, bank + 1)], dtype=object)
        shown = np.array([",".join(str(1_000_000 + (q - 1) * OPTIONS + p) for p in range(OPTIONS))
                          for q in range(1, bank + 1)], dtype=object)
        connection = db.session.connection()
        with connection.connection.driver_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
            columns = "attempt_id, position, question_id, option_order, shown_option_ids, chosen_option_id, " \
                      "answered_at, is_correct"
            with cursor.copy(f"COPY attempt_questions ({columns}) FROM STDIN (FORMAT csv)") as copy:
                for start in range(0, len(attempts), CHUNK):
                    part = attempts.iloc[start:start + CHUNK]
                    copy.write(_rows(rng, part["id"].to_numpy(), part["score"].to_numpy(), difficulty,
                                     option_order, shown))
        db.session.commit()
        with db.engine.connect() as analyze:
            analyze.execute(text("ANALYZE"))
            analyze.commit()


def _rows(rng: np.random.Generator, attempt_ids: np.ndarray, scores: np.ndarray, difficulty: np.ndarray,
          option_order: np.ndarray, shown: np.ndarray) -> str:
    """The CSV of these attempts' questions: 20 distinct questions each, right answers on the easiest."""
    n, bank = len(attempt_ids), len(difficulty)
    block = bank // QUESTIONS_PER_ATTEMPT  # one question from each of 20 disjoint blocks: distinct, shuffled
    drawn = (rng.integers(0, bank, n)[:, None] + np.arange(QUESTIONS_PER_ATTEMPT) * block
             + rng.integers(0, block, (n, QUESTIONS_PER_ATTEMPT))) % bank  # 0-based question indexes
    drawn = np.take_along_axis(drawn, np.argsort(rng.random(drawn.shape), axis=1), axis=1)
    ease = difficulty[drawn] + rng.normal(0, 1, drawn.shape)
    rank = np.argsort(np.argsort(ease, axis=1), axis=1)
    right = rank < scores[:, None]
    distractor = rng.integers(1, OPTIONS, drawn.shape)
    chosen = np.where(right, drawn * OPTIONS + 1, drawn * OPTIONS + 1 + distractor).astype(np.int64)
    unanswered = ~right & (rng.random(drawn.shape) < 0.1)
    flat = drawn.ravel()
    frame = pd.DataFrame({
        "attempt_id": np.repeat(attempt_ids, QUESTIONS_PER_ATTEMPT),
        "position": np.tile(np.arange(1, QUESTIONS_PER_ATTEMPT + 1), n),
        "question_id": flat + 1,
        "option_order": option_order[flat],
        "shown_option_ids": shown[flat],
        "chosen_option_id": pd.array(np.where(unanswered, 0, chosen).ravel(), dtype="Int64"),
        "answered_at": np.where(unanswered.ravel(), None, NOW.replace(tzinfo=None).isoformat(sep=" ")),
        "is_correct": np.where(right.ravel(), "t", "f"),
    })
    frame.loc[unanswered.ravel(), "chosen_option_id"] = pd.NA
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    return buffer.getvalue()


def measure(url: str, runs: int) -> None:
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import Round
    from quizapp.models.types import utcnow
    from quizapp.services.statistics import round_statistics

    with bench_app(url).app_context():
        round_ = db.session.scalar(select(Round).order_by(Round.id))
        for run in range(1, runs + 1):
            started = time.perf_counter()
            figures = round_statistics(round_, now=utcnow())
            elapsed = time.perf_counter() - started
            flagged = Counter(flag.code.value for q in figures.questions for flag in q.flags)
            print(f"run {run}: round_statistics {elapsed:.2f} s (target < 10 s): {figures.entries} entries, "
                  f"{figures.participants} participants, {len(figures.questions)} questions, "
                  f"{sum(q.drawn for q in figures.questions)} attempt questions, top group {figures.top_group}, "
                  f"flags {dict(flagged)}; peak RSS {peak_mb():.0f} MB", flush=True)
            db.session.rollback()
        sample = sorted(figures.questions, key=lambda q: q.facility or 0)[:3]
        for question in sample:
            print(f"  question {question.question_id}: drawn {question.drawn}, facility {question.facility:.3f}, "
                  f"discrimination {question.discrimination:.3f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL; EMPTIED first (unless --reuse)")
    parser.add_argument("--participants", type=int, default=400_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--bank", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="measure a database filled by an earlier run")
    args = parser.parse_args()
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not url.startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL database (its rows are written with COPY)")
    if args.bank % QUESTIONS_PER_ATTEMPT:
        parser.error(f"--bank must be a multiple of {QUESTIONS_PER_ATTEMPT}")
    print(f"{args.attempts} attempts × {QUESTIONS_PER_ATTEMPT} questions from a bank of {args.bank}", flush=True)
    if not args.reuse:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.ranking", "--fill-only", "--database-url", url, "--units",
                        "1000", "--participants", str(args.participants), "--attempts", str(args.attempts)],
                       check=True, cwd=ROOT)
        print(f"fill (round, people, attempts): {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        fill_questions(url, bank=args.bank)
        print(f"fill (attempt questions): {time.perf_counter() - started:.1f} s", flush=True)
    measure(url, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
