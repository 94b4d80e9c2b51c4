# Read by gunicorn from the working directory (the image's /app, a checkout's root): the
# access log shows webhook URLs without their secret token.
logger_class = "connect.gunicorn_logging.MaskedAccessLogger"
