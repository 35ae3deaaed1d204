"""The one error a reader raises for a file it cannot use."""


class ReaderError(ValueError):
    """A file cannot be read; the message is written for a study coordinator, not a developer."""
