"""gunicorn settings for the web process, from the environment (`make run` and docs/deploy.md use them).

The app, its content and the intent matcher are built once in the master before it forks, so workers share
that memory and start answering at once.
"""

import gc
import os
import shutil
import tempfile

# Metrics of every worker are shared through files (prometheus-client's multiprocess mode); the directory must
# be set before the app is loaded and start empty. Deployments set their own (docs/deploy.md).
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="nongbao-metrics-")
    os.environ["NONGBAO_METRICS_DIR_MADE"] = os.environ["PROMETHEUS_MULTIPROC_DIR"]  # kept across reloads (HUP)

wsgi_app = "app:serve()"
bind = os.environ.get("BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # one per core: answering a message is CPU work
worker_class = "sync"
preload_app = True
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "0"))  # recycle workers after this many requests (0: never)
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("ACCESS_LOG") or None  # "-" for stdout; off by default (the app logs each reply, masked)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "nongbao-web"


def when_ready(server):
    """Objects built before the fork are never freed in a worker: keep the collector off them (copy-on-write)."""
    gc.freeze()


def child_exit(server, worker):
    """A worker that exited leaves its live gauges behind; its counters stay counted."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """The metrics directory made for this run goes with it."""
    made = os.environ.get("NONGBAO_METRICS_DIR_MADE")
    if made and made == os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shutil.rmtree(made, ignore_errors=True)
