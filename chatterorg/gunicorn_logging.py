"""gunicorn's error and access logs, with the same token redaction as Django's handlers.

gunicorn sets up its own handlers (``--error-logfile``, ``--access-logfile``,
syslog, or a ``logconfig_dict``) before Django is loaded, and its loggers do not
propagate to the root, so Django's LOGGING never sees its lines. This logger
class keeps every way gunicorn configures them and adds the filter to whatever
handlers result. ``gunicorn.conf.py`` selects it.
"""

from __future__ import annotations

from gunicorn import glogging
from gunicorn.config import Config

from chatterorg.logging import RedactTokensFilter


class RedactingLogger(glogging.Logger):
    """gunicorn's logger whose handlers replace tokens in every line (request lines, Referers)."""

    def setup(self, cfg: Config) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactTokensFilter) for f in handler.filters):
                    handler.addFilter(RedactTokensFilter())
