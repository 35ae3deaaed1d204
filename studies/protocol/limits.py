"""Bounds on a protocol file, so that a mistyped or hostile file is refused quickly instead of holding a worker.

Each is far above what a real study needs (listed in docs/protocol-format.md, "Limits"). They are part of the file
format, not of a deployment, so they are constants here rather than settings.
"""

MAX_FILE_BYTES = 1024 * 1024  # the YAML text; the two shipped protocols are under 20 KB
MAX_YAML_NODES = 100_000  # scalars, lists and mappings, counting every alias (*name) at its full expanded size
MAX_YAML_DEPTH = 50  # lists and mappings inside one another, aliases expanded

MAX_SITES = 500
MAX_ARMS = 20
MAX_ANCHORS = 50
MAX_VISITS = 500
MAX_ACTIVITIES = 200  # per visit, instruments, specimens and acquisitions together
MAX_REPEAT_COUNT = 1000  # repeating.count
MAX_OCCURRENCES = 5000  # all visits of a schedule with their repeats
MAX_CRITERIA = 200  # inclusion and exclusion criteria, each
MAX_FIELDS = 200  # eligibility fields
MAX_OPTIONS = 200  # options of one field
MAX_RULES = 1000  # rules, quality_rules and series_rules, each
MAX_RULE_DEPTH = 20  # all/any/not inside one another in one eligibility rule

MAX_OFFSET_DAYS = 36_500  # |offset_days|, and repeating.every_days: a hundred years
MAX_WINDOW_DAYS = 3650  # window_before and window_after: ten years
MIN_YEAR, MAX_YEAR = 1900, 2200  # any date in the file
