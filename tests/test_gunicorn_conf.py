"""gunicorn's access log (ndfstudio/gunicorn_conf.py): every field scrubbed, no query string."""

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from ndfstudio import gunicorn_conf


def test_access_log_atoms_are_scrubbed():
    cfg = Config()
    cfg.set("logger_class", gunicorn_conf.logger_class)
    logger = gunicorn_conf.ScrubbingLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/x",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/x\r\nSECURITY login_succeeded\x1b[2K",
        "HTTP_USER_AGENT": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLWxvbmctZW5vdWdo",
    }
    response = SimpleNamespace(status="200 OK", sent=2, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    assert atoms["U"] == "/x\\x0d\\x0aSECURITY login_succeeded\\x1b[2K"
    assert atoms["a"] == "[redacted]"
    assert "%(q)s" not in gunicorn_conf.access_log_format and "%(r)s" not in gunicorn_conf.access_log_format
