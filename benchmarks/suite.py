"""The benchmarks ``python -m benchmarks`` runs: each script, its arguments at full and quick size, and the rows it
must return (what the smoke test checks)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Benchmark:
    """One script of benchmarks/; export and redcap are also told the study's database (``--database-url``), the
    others read it from DATABASE_URL or build scratch data of their own (scoring, ingest, box map)."""

    name: str
    script: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    keys: tuple[str, ...]  # the rows it must return, at both sizes


BENCHMARKS = (
    Benchmark(
        "export",
        "export.py",
        (),
        (),
        ("export.csv_wide.s", "export.parquet.s", "export.csv_wide.peak", "export.parquet.peak"),
    ),
    Benchmark(
        "pages",
        "dashboards.py",
        ("--repeat", "5"),
        ("--repeat", "2"),
        tuple(
            f"pages.{page}.{what}"
            for page in ("dashboard", "status_grid", "participant_list", "participant_page")
            for what in ("ms", "queries")
        ),
    ),
    Benchmark("crf_save", "crf_save.py", ("--repeat", "20"), ("--repeat", "3"), ("crf_save.ms", "crf_save.queries")),
    Benchmark(
        "audit_csv",
        "audit_csv.py",
        ("--per-participant", "10"),
        ("--per-participant", "5"),
        ("audit_csv.small.s", "audit_csv.all.s", "audit_csv.small.peak", "audit_csv.all.peak"),
    ),
    Benchmark(
        "redcap",
        "redcap_records.py",
        ("--reuse",),
        ("--reuse",),
        ("redcap.record.s", "redcap.record.peak", "redcap.csv_wide.s", "redcap.csv_wide.peak"),
    ),
    Benchmark(
        "scoring",
        "scoring.py",
        (),
        ("-n", "10", "--repeat", "1"),
        ("scoring.throughput", "scoring.battery"),
    ),
    Benchmark(
        "ingest",
        "ingest.py",
        (),
        ("--skip-psg", "--skip-chain", "--size-mb", "8"),
        ("ingest.header_scan", "ingest.dicom_parse", "ingest.upload_peak"),
    ),
    Benchmark(
        "boxmap",
        "biobank_boxmap.py",
        (),
        ("--boxes", "3", "--runs", "1"),
        ("boxmap.ms", "boxmap.queries"),
    ),
)
FULL_ONLY_KEYS = {"ingest": ("ingest.chain", "ingest.psg")}


def expected_keys(benchmark: Benchmark, quick: bool) -> tuple[str, ...]:
    return benchmark.keys + (() if quick else FULL_ONLY_KEYS.get(benchmark.name, ()))
