"""The ceiling: a bare Flask route under the same gunicorn settings as peerkg serve."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return "hello"
