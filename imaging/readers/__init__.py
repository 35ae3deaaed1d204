"""Pure readers for acquired files (DICOM, EDF/EDF+, EMG): a path in, a frozen dataclass out.

No Django import here: ingest tasks call these and store the results with their provenance.
"""
