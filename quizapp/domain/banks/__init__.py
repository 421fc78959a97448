"""Question-bank files (.xlsx, .csv, Aiken .txt, GIFT) parsed into questions, or refused with every problem.

The readers for spreadsheets (``sheets``, ``headers``, ``package``) are shared with the unit-tree import.
"""

from quizapp.domain.banks.model import (
    MAX_PROBLEMS,
    OTHER_TYPES,
    PROBLEM_CODES,
    BankFileError,
    ImportFileError,
    ImportLimits,
    ParsedQuestion,
    Problem,
    is_other_type,
)
from quizapp.domain.banks.parse import (
    SUPPORTED_EXTENSIONS,
    BankReading,
    duplicate_key,
    fingerprint,
    parse_bank,
    read_bank,
)

__all__ = [
    "MAX_PROBLEMS",
    "OTHER_TYPES",
    "PROBLEM_CODES",
    "SUPPORTED_EXTENSIONS",
    "BankFileError",
    "BankReading",
    "ImportFileError",
    "ImportLimits",
    "ParsedQuestion",
    "Problem",
    "duplicate_key",
    "fingerprint",
    "is_other_type",
    "parse_bank",
    "read_bank",
]
