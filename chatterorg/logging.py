"""Keep secrets out of logs."""

import logging
import re

# Join Now and password-reset links carry a token as their last path segment.
_TOKEN_IN_PATH = re.compile(r"(/(?:join|reset)/)[A-Za-z0-9_\-]{16,}")


class RedactTokensFilter(logging.Filter):
    """Replace tokens in request lines with a placeholder before they are written."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN_IN_PATH.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
