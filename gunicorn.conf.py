"""gunicorn settings for the web process, from the environment (`make run` and docs/deploy.md use them).

The app, its content and the intent matcher are built once in the master before it forks, so workers share
that memory and start answering at once.
"""

import gc
import os

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
