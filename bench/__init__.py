"""`make bench`: the service as deployed (gunicorn) against a bare Flask app, at full load and at a fixed rate."""
