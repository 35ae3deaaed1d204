"""gunicorn's settings, read from the working directory (the image's /app; the repository when run by hand or by
tests/test_production.py). The command line (Dockerfile, docker-compose.yml) still sets the address, the number of
workers and the timeout.

The worker class is gthread, not the default sync worker, because of the long downloads (the study audit CSV takes
minutes at 10,000 participants): gunicorn kills a worker that has not checked in with its master for ``timeout``
seconds, and a sync worker checks in only between requests, so a streamed file longer than the timeout was cut
short, silently (the client sees a closed connection, the file looks complete). A gthread worker checks in from its
main loop while the request runs in a thread, so ``timeout`` stays a liveness check (a hung process is still
killed) without bounding a download. The alternative, a background export job per trail download, would also need
a stored file, a page to fetch it and a sweep; the trail already streams with flat memory (reports/trail/selectors.py),
so one worker thread per download is cheap. Threads share the process, so four of them also serve other pages
while one streams. See benoitc/gunicorn#1493 and #1968.
"""

worker_class = "gthread"
threads = 4
