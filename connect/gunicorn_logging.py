"""gunicorn's access log without webhook tokens (`gunicorn.conf.py` selects this logger)."""

from gunicorn.glogging import Logger

from connect.log_filters import mask_webhook_tokens

URL_KEYS = ("RAW_URI", "PATH_INFO", "REQUEST_URI")


class MaskedAccessLogger(Logger):
    def access(self, resp, req, environ, request_time) -> None:
        masked = {
            **environ,
            **{key: mask_webhook_tokens(environ[key]) for key in URL_KEYS if key in environ},
        }
        super().access(resp, req, masked, request_time)
