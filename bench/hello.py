"""A bare Flask app on the webhook's path: the ceiling the same gunicorn settings allow on this machine.

.venv/bin/gunicorn -c gunicorn.conf.py bench.hello:app
"""

from flask import Flask, Response

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>您好，这里是农保助手。</Message></Response>'

app = Flask(__name__)


@app.post("/sms/twilio")
def incoming():
    """A constant TwiML reply, so only Flask and gunicorn are measured."""
    return Response(TWIML, mimetype="text/xml")
