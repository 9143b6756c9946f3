"""gunicorn's settings shared by `make run` and the live tests: an access log that nobody can forge or mine, a
keep-alive longer than any client's polling, and header limits that let Django answer oversized headers in JSON.

Used as `gunicorn --config python:ndfstudio.gunicorn_conf ...`; flags on the command line still win.
"""

from gunicorn.glogging import Logger

from activity.scrub import text_scrub

# The access log leaves out query strings (%(q)s, %(r)s): a client may put a token there.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


# Idle connections are kept 75 s (nginx's default, above a load balancer's usual 60 s, far from the UI's 30 s and
# 120 s polls): a client polling every few seconds never reuses a connection just as the server closes it.
keepalive = 75
# A 70 KB header reaches Django, which answers JSON (an oversized Authorization header: 401 token_not_valid);
# 8190 is gunicorn's longest request line. Worst case buffered per request: 100 fields of 128 KiB.
limit_request_field_size = 131072
limit_request_line = 8190


class ScrubbingLogger(Logger):
    """gunicorn's logger, with every text in an access-log line scrubbed as the log rows are (activity/scrub.py).

    gunicorn writes the decoded path as is: %0d%0a in a URL would start a forged line, %1b a terminal escape.
    """

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: text_scrub(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = ScrubbingLogger
