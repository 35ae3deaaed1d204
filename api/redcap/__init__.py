"""The REDCap-compatible API at ``/redcap/api/``: one POST endpoint answering ``content=`` as REDCap does, so
PyCap, REDCapR and redcapAPI scripts work unchanged (docs/api.md, "REDCap-compatible API").

A study is a REDCap longitudinal project: visits x arms are events (``baseline_arm_1``), activities are forms
(instruments), their items are fields (``<form>_<item>``), the participant's study ID is the record ID and sites
are data access groups. ``project`` builds that model for one viewer (a blinded viewer sees one neutral arm);
``contents/`` holds one module per content; ``wire`` parses requests and writes REDCap's formats and errors.
"""
