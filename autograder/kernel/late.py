"""The course's late-penalty policy, as an nbgrader plugin (it runs inside nbgrader autograde).

nbgrader's ``AssignLatePenalties`` step asks its plugin for the penalty of every late notebook;
nbgrader's own plugin knows only "none" and "zero". The course's ``nbgrader_config.py`` selects
this one and sets its rate::

    c.AssignLatePenalties.plugin_class = "autograder.kernel.late.PerDayPenalty"
    c.PerDayPenalty.fraction_per_day = 0.1   # 10% of the score for each started day late
    c.PerDayPenalty.max_fraction = 1.0       # never more than the whole score
    c.PerDayPenalty.grace_minutes = 0        # minutes past the due date that still count as on time
"""
from __future__ import annotations

import math

from nbgrader.plugins import BasePlugin
from traitlets import Float


def penalty_for(score: float, seconds_late: float, fraction_per_day: float, max_fraction: float,
                grace_minutes: float) -> float:
    """Points taken off ``score`` for a submission ``seconds_late`` after its due date."""
    if seconds_late <= grace_minutes * 60 or score <= 0:
        return 0.0
    days = math.ceil(seconds_late / 86400)
    return score * min(max_fraction, fraction_per_day * days)


class PerDayPenalty(BasePlugin):
    """A fraction of the score off for each started day past the due date, up to a cap."""

    fraction_per_day = Float(0.1, help="Fraction of the notebook's score taken off per started day late.").tag(config=True)
    max_fraction = Float(1.0, help="The most that lateness can take off, as a fraction of the score.").tag(config=True)
    grace_minutes = Float(0.0, help="Minutes past the due date that still count as on time.").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        return penalty_for(score, total_seconds_late, self.fraction_per_day, self.max_fraction, self.grace_minutes)
