"""The audit-trail pages: a participant's, an object's, a study's and a user's trail, with CSV export.

The trail itself (model, database triggers, writer) is the ``audit`` app, two floors below every domain app;
reading it needs to know who may see which participant, study and file, so the pages live up here.
The URL namespace stays ``audit`` (lbpb/urls.py).
"""
