"""Benchmark: import a generated 10,000-question .xlsx through the `quizapp` command.

Prints the end-to-end wall time and the peak memory (RSS) of the import process.
Target on the reference machine (2 cores): under 3 s and under 300 MB.

    .venv/bin/python bench/import_bank.py [--questions 10000] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

HEADER = ["STT", "Câu hỏi", "A", "B", "C", "D", "Đáp án", "Chủ đề", "Mức độ", "Giải thích", "Nguồn"]
TOPICS = ["Tư tưởng Hồ Chí Minh", "Đạo đức, phong cách Hồ Chí Minh", "Chuyên đề năm 2025", "Tiểu sử Hồ Chí Minh"]
LEVELS = ["Dễ", "Trung bình", "Khó"]


def generate(path: Path, count: int) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Câu hỏi")
    sheet.write_row(0, 0, HEADER)
    for n in range(1, count + 1):
        sheet.write_row(n, 0, [
            n,
            f"Câu hỏi thử nghiệm số {n}: theo Chủ tịch Hồ Chí Minh, phẩm chất nào là gốc của người cách mạng?",
            f"Cần, kiệm, liêm, chính ({n})", f"Trung với nước ({n})", 1890 + n % 80, f"Phương án D số {n}",
            "ABCD"[n % 4], TOPICS[n % len(TOPICS)], LEVELS[n % 3], "Giải thích ngắn.", "Nguồn thử nghiệm",
        ])
    book.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    quizapp = str(Path(sys.executable).with_name("quizapp"))
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QUIZAPP_INSTANCE_PATH=tmp, SECRET_KEY="bench",
                   QUIZAPP_IMPORT_MAX_QUESTIONS=str(max(args.questions, 20_000)))
        env["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        source = Path(tmp) / "bank.xlsx"
        generate(source, args.questions)
        subprocess.run([quizapp, "db", "upgrade"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        result = subprocess.run([quizapp, "banks", "import", str(source), "--bank", "Benchmark"], env=env,
                                capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
        print(f"file: {source.stat().st_size / 1e6:.2f} MB, {args.questions} questions; "
              f"database: {env['DATABASE_URL'].split(':')[0]}")
        print(f"import_wall_seconds={elapsed:.2f} (target < 3.00)")
        print(f"import_peak_rss_mb={peak_mb:.0f} (target < 300)")
        print(result.stdout.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
