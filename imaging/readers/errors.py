"""The one error a reader raises for a file it cannot use.

The message is kept as an English template plus its parameters, not as finished text: the job that fails
stores both, and each page translates the template into its viewer's language when it shows the error. The
readers stay free of Django, so they mark their templates with the local ``gettext_noop`` below; makemessages
(xgettext's ``--keyword=gettext_noop``) extracts them by that name.
"""


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction without translating it (the reader does not know the viewer)."""
    return message


class ReaderError(ValueError):
    """A file cannot be read; the message is written for a study coordinator, not a developer.

    ``ReaderError(gettext_noop("%(name)s is empty."), name=path.name)``: ``str(error)`` is the English text,
    ``msgid`` and ``params`` let a page translate it later. ``translate`` names the params that are themselves
    English labels to translate (a file kind), as opposed to data (a file name), which is shown as it is.
    """

    def __init__(self, msgid: str, *, translate: tuple[str, ...] = (), **params):
        self.msgid, self.params, self.translate = msgid, params, tuple(translate)
        super().__init__(msgid % params if params else msgid)
