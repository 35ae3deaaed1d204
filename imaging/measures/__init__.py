"""Derived measures computed from acquired signals (sleep, oximetry, HRV, EMG).

Each result carries a `software` dict naming the library versions that computed it.
"""
