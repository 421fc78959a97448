"""SQLAlchemy models, one module per area; importing this package registers them all on ``db.metadata``."""

from quizapp.models.accounts import Role, User
from quizapp.models.attempts import Attempt, AttemptQuestion, AttemptStatus
from quizapp.models.audit import AuditEntry
from quizapp.models.banks import Bank, BankImport, Option, Question
from quizapp.models.certificates import CertificateTemplate, IssuedCertificate
from quizapp.models.contests import (
    CollectiveMetric,
    Contest,
    DrawRule,
    PredictionAnswer,
    PrizeKind,
    PrizeTier,
    Review,
    Round,
    TimeExtension,
)
from quizapp.models.letterheads import ContestLetterhead, Motto
from quizapp.models.notices import ContestNotice
from quizapp.models.personal_data import ErasureRequest, ErasureStatus
from quizapp.models.results import CollectiveResult, Disqualification, RoundResult
from quizapp.models.summaries import RoundHourFigure, RoundScoreFigure, RoundSummary, RoundUnitFigure
from quizapp.models.units import Unit, UnitAncestor

__all__ = [
    "Attempt", "AttemptQuestion", "AttemptStatus", "AuditEntry", "Bank", "BankImport", "CertificateTemplate",
    "CollectiveMetric", "IssuedCertificate",
    "CollectiveResult", "Contest", "ContestLetterhead", "ContestNotice", "Disqualification", "DrawRule",
    "ErasureRequest",
    "ErasureStatus", "Motto", "Option", "PredictionAnswer", "PrizeKind", "PrizeTier", "Question", "Review", "Role",
    "Round", "RoundHourFigure", "RoundResult", "RoundScoreFigure", "RoundSummary", "RoundUnitFigure",
    "TimeExtension", "Unit", "UnitAncestor", "User",
]
