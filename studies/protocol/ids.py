"""Participant study IDs from the protocol's pattern, e.g. "{study}-{site}-{seq:04d}" -> LBPB-01-0001."""

from __future__ import annotations

from .schema import Protocol


def participant_id(protocol: Protocol, site_code: str, seq: int) -> str:
    site = next((s for s in protocol.sites if s.code == site_code), None)
    if site is None:
        raise ValueError(f"{protocol.study.code} has no site '{site_code}'")
    pattern = site.participant_id_pattern or protocol.study.participant_id_pattern
    return pattern.format(study=protocol.study.code, site=site.code, seq=seq)
