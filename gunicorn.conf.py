"""gunicorn's settings, read from the working directory: `gunicorn chatterorg.wsgi`.

Options on the command line (workers, bind, --access-logfile, --log-level) still
apply; this file only makes every gunicorn log line pass the token redaction.
"""

logger_class = "chatterorg.gunicorn_logging.RedactingLogger"
