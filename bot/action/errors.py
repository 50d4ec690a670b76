"""Bad input to the Action: one `::error::` line (with file and line when known), the step fails."""

from __future__ import annotations


class ActionError(Exception):
    """Bad input to the Action: one `::error::` line, the step fails."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.file = file
        self.line = line
