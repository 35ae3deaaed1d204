"""Studies as data: parse a protocol file, project its visits, evaluate eligibility, compare versions.

Pure Python (no Django): the studies app stores the file and reads it back through
``studies.selectors.current_protocol``.
"""

from .diff import Change, diff_protocols
from .eligibility import EligibilityResult, evaluate
from .ids import participant_id
from .parse import parse_protocol
from .reader import Problem, ProtocolError
from .rules import needs_reassessment
from .schedule import ProjectedVisit, project_visits, resolve_anchors, visit_status
from .schema import Protocol

__all__ = [
    "Change",
    "EligibilityResult",
    "Problem",
    "ProjectedVisit",
    "Protocol",
    "ProtocolError",
    "diff_protocols",
    "evaluate",
    "needs_reassessment",
    "parse_protocol",
    "participant_id",
    "project_visits",
    "resolve_anchors",
    "visit_status",
]
