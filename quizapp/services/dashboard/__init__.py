"""The organizers' dashboard of a running contest: live figures per round and per contest (``figures.py``), kept
fast by counters added up from the attempts table (``summary.py``, which says why), and their .xlsx (``xlsx.py``).
"""

from quizapp.services.dashboard.figures import RoundFigures, UnitFigures, round_figures
from quizapp.services.dashboard.summary import refresh_round

__all__ = ["RoundFigures", "UnitFigures", "refresh_round", "round_figures"]
