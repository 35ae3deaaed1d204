"""Studies as data: parse a protocol file, project its visits, evaluate eligibility, compare versions.

Pure Python (no Django): the studies app stores the file and reads it back through
``studies.selectors.current_protocol``.
"""

from .blinding import blinding_relevant_changes
from .diff import Change, diff_protocols
from .eligibility import EligibilityResult, evaluate
from .ids import participant_id
from .parse import parse_protocol
from .reader import Problem, ProtocolError
from .rules import needs_reassessment
from .schedule import ProjectedVisit, activities_for, project_visits, resolve_anchors, visit_status
from .schema import Protocol

__all__ = [
    "Change",
    "EligibilityResult",
    "Problem",
    "ProjectedVisit",
    "Protocol",
    "ProtocolError",
    "activities_for",
    "blinding_relevant_changes",
    "diff_protocols",
    "evaluate",
    "needs_reassessment",
    "parse_protocol",
    "participant_id",
    "project_visits",
    "resolve_anchors",
    "visit_status",
]
