"""Question-bank files (.xlsx, .csv, Aiken .txt, GIFT) parsed into questions, or refused with every problem.

The readers for spreadsheets (``sheets``, ``headers``, ``package``) are shared with the unit-tree import.
"""

from quizapp.domain.banks.model import (
    MAX_PROBLEMS,
    PROBLEM_CODES,
    BankFileError,
    ImportFileError,
    ImportLimits,
    ParsedQuestion,
    Problem,
)
from quizapp.domain.banks.parse import SUPPORTED_EXTENSIONS, duplicate_key, fingerprint, parse_bank

__all__ = [
    "MAX_PROBLEMS",
    "PROBLEM_CODES",
    "SUPPORTED_EXTENSIONS",
    "BankFileError",
    "ImportFileError",
    "ImportLimits",
    "ParsedQuestion",
    "Problem",
    "duplicate_key",
    "fingerprint",
    "parse_bank",
]
