"""The audit's error."""


class AuditError(Exception):
    """The audit cannot run as asked (unknown user, model or template, bad ``--var``)."""
