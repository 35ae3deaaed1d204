import errno
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# A write refused for lack of space: the disk is full, the user's quota is used up, or a file-size limit is reached.
STORAGE_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}

# Seconds a client is asked to wait before trying again while the database is unreachable (a restart takes ~10 s).
RETRY_AFTER_SECONDS = 30


@login_not_required
@never_cache
@require_GET
def health(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request, template_name: str = "500.html"):
    """``handler500``: an unreachable database (restarting, failed over, out of connections) is a 503 maintenance
    page in the viewer's language, asking them to try again; any other failure stays Django's plain 500.

    Django calls this handler while the exception is being handled, whichever middleware or view raised it, so the
    exception is the one in flight. Connection failures surface as OperationalError (could not connect, server
    closed the connection) or InterfaceError (connection already closed); a write under way was rolled back with
    its transaction, so nothing was half saved. A full disk (an upload or export that cannot be written) is the 507
    page: the writers remove what they had written of the file. Neither page uses the database (no user, no
    session, no navigation): rendering it must not fail the same way. The traceback goes to the log, never the page.
    """
    problem = sys.exception()
    if isinstance(problem, OSError) and problem.errno in STORAGE_FULL:
        return _unavailable("507.html", status=507)
    if not isinstance(problem, OperationalError | InterfaceError):
        return defaults.server_error(request, template_name)
    response = _unavailable("503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _unavailable(template: str, *, status: int) -> HttpResponse:
    response = HttpResponse(loader.render_to_string(template, {"retry_after": RETRY_AFTER_SECONDS}), status=status)
    response["Cache-Control"] = "no-store"
    return response
