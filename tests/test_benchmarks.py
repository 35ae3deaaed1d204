"""python -m benchmarks end to end in its quick mode: every benchmark runs and the JSON holds every row.

The command makes its own study (a throw-away SQLite file, or with DATABASE_URL on PostgreSQL a scratch database
``<name>_bench_30``, kept for the next run), so this test needs no database of pytest's. The README block is
rewritten from the same JSON by the same function ``--readme`` uses.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.suite import BENCHMARKS, expected_keys
from benchmarks.table import README_BEGIN, README_END, markdown, rewrite_readme, row

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_quick_run_measures_every_benchmark_and_writes_every_row(tmp_path):
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        env.pop("DATABASE_URL", None)  # the command's own SQLite file, not pytest's
    done = subprocess.run(  # noqa: S603 - this interpreter running the command under test
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    result = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    keys = {one["key"] for one in result["rows"]}
    for benchmark in BENCHMARKS:
        assert set(expected_keys(benchmark, quick=True)) <= keys, benchmark.name
    assert result["errors"] == {}
    assert result["meta"]["participants"] == 30 and result["meta"]["quick"]
    assert all(one["value"] >= 0 for one in result["rows"])
    # Flat memory is a figure of the table: the audit CSV's peak at both sizes, the second against the first.
    [peak] = [one for one in result["rows"] if one["key"] == "audit_csv.all.peak"]
    assert peak["reference"].startswith("the same at")
    assert (tmp_path / "latest.md").read_text(encoding="utf-8").startswith("| figure |")


def test_the_readme_block_between_the_markers_is_rewritten_and_the_rest_kept(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n## Performance\n\n{README_BEGIN}\nold figures\n{README_END}\n\n## Next\n")
    result = {
        "meta": {
            "finished": "2026-12-06 22:00 UTC",
            "machine": "x86_64, 2 cores",
            "database": "postgresql 15.19",
            "participants": 10000,
            "counts": "1 forms",
            "seconds": 600.0,
            "command": "python -m benchmarks",
        },
        "rows": [row("a.b", "a figure | with a bar", 2.0, "ms", reference="its reference", reference_value=1.0)],
    }
    rewrite_readme(readme, result)
    text = readme.read_text()
    assert "old figures" not in text and text.startswith("# Title") and text.endswith("## Next\n")
    assert "| a figure / with a bar | 2.00 | ms | its reference: 1.00 | 2.00x |" in text
    assert "10,000 participants" in text and markdown(result["rows"]) in text
