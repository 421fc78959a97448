"""Benchmark: find the near-duplicate questions among 5,000 active questions.

The questions are variations of the sample banks' 275 real ones (question_banks/): each takes a real stem, swaps
its numbers and about a third of its words for others of the banks' vocabulary, and gets another question's key,
so that many stems look alike (the blocking's worst case: banks of template questions such as "Nghị quyết … bàn
về vấn đề gì?"); 50 of them are planted reworded copies of another question with the same key. Prints:

- the domain's ``find_pairs`` on the 5,000 (every core, then one), with the pairs found and the planted ones among them;
- the organizer page's whole service call (``services.near_duplicates.near_duplicates``: one query loading the
  questions, the detection, the questions of the pairs) on a throwaway SQLite database in a temporary folder.

    .venv/bin/python bench/near_duplicates.py [--questions 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quizapp.domain.banks import ImportLimits, parse_bank  # noqa: E402
from quizapp.domain.near_duplicates import Item, find_pairs, prepared  # noqa: E402

PLANTED = 50


def seeds() -> list[tuple[str, str]]:
    import tomllib

    manifest = tomllib.loads((ROOT / "question_banks" / "manifest.toml").read_text("utf-8"))
    questions = []
    for entry in manifest["bank"]:
        path = ROOT / "question_banks" / entry["file"]
        questions += [(q.text, q.options[q.correct_index]) for q in parse_bank(path.name, path.read_bytes())]
    return questions


def generate(count: int, rng: random.Random) -> tuple[list[tuple[str, str]], set[tuple[int, int]]]:
    """``count`` (stem, key) pairs, and the planted pairs (index of the original, index of its reworded copy)."""
    real = seeds()
    vocabulary = [word for stem, _key in real for word in stem.split()]
    keys = [key for _stem, key in real]
    questions: list[tuple[str, str]] = []
    for n in range(count - PLANTED):
        stem, _key = real[n % len(real)]
        words = [rng.choice(vocabulary) if rng.random() < 0.35 else word for word in stem.split()]
        text = re.sub(r"\d+", lambda _m: str(rng.randint(1, 2025)), " ".join(words))
        questions.append((text, f"{rng.choice(keys)} ({n})"))
    planted = set()
    for _ in range(PLANTED):  # a reworded copy: two words changed, a word added, the same key
        original = rng.randrange(len(questions))
        words = questions[original][0].rstrip("?").split()
        for _word in range(2):
            words[rng.randrange(len(words))] = rng.choice(["hãy", "cho", "biết", "vào", "được"])
        words.insert(rng.randrange(len(words)), "thực sự")
        planted.add((original, len(questions)))
        questions.append((" ".join(words) + "?", questions[original][1]))
    return questions, planted


def timed(function, rounds: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def service_figure(questions: list[tuple[str, str]], rounds: int) -> tuple[float, int]:
    """The page's service call on a SQLite database holding ``questions`` in two banks."""
    import csv
    import io

    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.models.types import utcnow
    from quizapp.services.banks import import_bank
    from quizapp.services.near_duplicates import near_duplicates

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench",
                          "TESTING": True})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade(directory=str(ROOT / "migrations"))
            half = len(questions) // 2
            for name, part in (("Ngân hàng A", questions[:half]), ("Ngân hàng B", questions[half:])):
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                writer.writerow(["Câu hỏi", "A", "B", "Đáp án"])
                writer.writerows([stem, key, f"Phương án khác {n}", "A"] for n, (stem, key) in enumerate(part))
                import_bank(bank_name=name, filename="bench.csv", data=buffer.getvalue().encode(), actor=None,
                            now=utcnow(), limits=ImportLimits())
            db.session.commit()
            seconds, pairs = timed(near_duplicates, rounds)
            db.session.remove()
        return seconds, len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    questions, planted = generate(args.questions, random.Random(2026))
    items = prepared(Item(n, stem, key) for n, (stem, key) in enumerate(questions))
    every_core, pairs = timed(lambda: find_pairs(items), args.rounds)
    one_core, _ = timed(lambda: find_pairs(items, workers=1), args.rounds)
    found = {(min(p.first, p.second), max(p.first, p.second)) for p in pairs}
    print(f"{len(questions)} questions: find_pairs {every_core:.2f} s (every core), {one_core:.2f} s (one core); "
          f"{len(pairs)} pairs, {len(planted & found)}/{len(planted)} planted reworded copies found")
    seconds, listed = service_figure(questions, args.rounds)
    print(f"near-duplicates page's service call (load + detect + pairs' questions, SQLite): {seconds:.2f} s, "
          f"{listed} pairs")


if __name__ == "__main__":
    main()
