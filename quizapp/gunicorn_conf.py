"""gunicorn settings for serving Two Truths on one machine, with or without a proxy in front.

    gunicorn -c quizapp/gunicorn_conf.py -b 127.0.0.1:8000 'quizapp:create_app()'

(or `-c python:quizapp.gunicorn_conf` from an installed wheel). Options on the command line win.
docs/decisions/0004-gunicorn-workers.md says why gevent, with the measurements.
"""
import os

# A client that sends half a request and goes silent holds one greenlet, not a worker or a thread: 16 of
# them stopped every gthread worker for 75 s and more. Live rooms' event streams will be held the same way.
worker_class = "gevent"
# One process per core: greenlets give the concurrency, processes the use of every core.
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, os.cpu_count() or 1)))
# Open connections each worker holds at once (event streams, silent clients); each needs a file descriptor.
worker_connections = int(os.environ.get("QUIZAPP_WORKER_CONNECTIONS", 1000))
# A gevent worker reports to the arbiter from its event loop: a request that holds the CPU this long
# (no I/O to yield at) has stalled the loop, and the worker is restarted.
timeout = 30
graceful_timeout = 10
keepalive = 5
