"""Where a SQL statement came from: the template line and the Python frame.

Django's engine is found on the stack: ``Node.render_annotated`` frames carry
the node (``self``) whose ``origin`` and ``token.lineno`` name the template
file and line.

djust's engine renders in Rust, so there is no Python frame per node: the
renderer (and the live evaluator behind ``LiveTemplate`` and LiveView) keeps
the template and line of the node it is evaluating in a thread-local, which
``djust._native.current_template_position()`` reads. A statement run while
djust renders (a lazy queryset iterated by ``{% for %}``, a related object in
``{{ book.author.name }}``, a callable, ``|length``, ``{% if qs %}``) gets
that line, across ``include``, ``extends`` and ``block``. Renders nest (a
callable may render another template) and the innermost one answers: a Django
render inside a djust render is found on the stack first, and a djust render
inside a Django one is recognised by the Python frame that started it.

The hook for Python template engines
------------------------------------
``current_template_origin`` is a :class:`contextvars.ContextVar` holding a
``(template_name, line)`` tuple or ``None``, for template engines written in
Python that have no ``render_annotated`` frames. Such an engine reports the
node it is evaluating with :func:`template_origin` (or sets the variable
itself, checking :func:`recording` once per render so that it costs nothing
outside an audit)::

    with template_origin(template_name, line):
        ...  # evaluate the node

It is consulted before djust's own engine.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import FrameType

import asgiref
import django
from django.core.handlers.base import BaseHandler
from django.template.base import Node

import djust
from djust import _native

#: The template node being rendered by a Python engine that has no
#: ``render_annotated`` frames: ``(template_name, line)`` or ``None``.
current_template_origin: ContextVar[tuple[str, int] | None] = ContextVar("djust_current_template_origin", default=None)

# How many recorders are active in this context (thread or task).
_recording: ContextVar[int] = ContextVar("djust_audit_recording", default=0)


@dataclass(frozen=True)
class TemplateOrigin:
    """A template line: ``name`` as the loader knows it, ``file`` on disk."""

    name: str
    line: int
    file: str | None = None

    def __str__(self) -> str:
        return f"{self.name}:{self.line}"


@dataclass(frozen=True)
class PythonOrigin:
    """The innermost frame outside Django, djust and the standard library."""

    file: str
    line: int
    function: str

    def __str__(self) -> str:
        return f"{_relative(self.file)}:{self.line} in {self.function}"


def recording() -> bool:
    """Is a statement recorder active here? Engines check it once per render."""
    return _recording.get() > 0


@contextmanager
def recording_scope() -> Iterator[None]:
    """Mark this context as recording (used by the recorder)."""
    token = _recording.set(_recording.get() + 1)
    try:
        yield
    finally:
        _recording.reset(token)


@contextmanager
def template_origin(name: str, line: int) -> Iterator[None]:
    """Report ``name:line`` as the template origin of statements run inside."""
    token = current_template_origin.set((name, line))
    try:
        yield
    finally:
        current_template_origin.reset(token)


def _package_dir(module: object) -> str:
    return os.path.dirname(os.path.abspath(module.__file__)) + os.sep  # type: ignore[attr-defined]


# Frames under these directories are framework, not the user's code.
_FRAMEWORK_DIRS: tuple[str, ...] = tuple(
    {
        _package_dir(django),
        _package_dir(djust),
        _package_dir(asgiref),
        os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep,
        os.path.abspath(sysconfig.get_paths()["platstdlib"]) + os.sep,
    }
)

_RENDER_ANNOTATED = Node.render_annotated.__code__

# A request's own frames end here: a frame further out (the test that made
# the request, manage.py) did not run the statement, so it is no origin.
_REQUEST_BOUNDARY = frozenset({BaseHandler._get_response.__code__, BaseHandler._get_response_async.__code__})


def _native_render_callers() -> frozenset:
    """The Python functions that hand a render to djust's engine: seen on the
    stack before a ``render_annotated`` frame, the djust render is the inner one."""
    from djust.live import LiveTemplate
    from djust.template.engine import Template

    return frozenset(f.__code__ for f in (Template.render, LiveTemplate.mount, LiveTemplate.update))


_NATIVE_RENDER_CALLERS = _native_render_callers()


def _is_framework(filename: str) -> bool:
    if filename.startswith("<"):  # <frozen ...>, <string>
        return True
    return os.path.abspath(filename).startswith(_FRAMEWORK_DIRS)


def _node_origin(frame: FrameType) -> TemplateOrigin | None:
    node = frame.f_locals.get("self")
    origin = getattr(node, "origin", None)
    token = getattr(node, "token", None)
    if origin is None or token is None or token.lineno is None:
        return None
    file = origin.name
    name = origin.template_name or file
    return TemplateOrigin(name=str(name), line=int(token.lineno), file=str(file))


def engine_origin() -> TemplateOrigin | None:
    """The node a frameless engine is rendering: a Python engine's hook
    (:data:`current_template_origin`), else djust's engine on this thread."""
    hooked = current_template_origin.get()
    if hooked is not None:
        return TemplateOrigin(name=str(hooked[0]), line=int(hooked[1]))
    native = _native.current_template_position()
    if native is None or native[1] == 0:  # outside a render, or before its first node
        return None
    name, line, file = native
    return TemplateOrigin(name=name, line=line, file=file)


def find_origins(frame: FrameType | None) -> tuple[TemplateOrigin | None, PythonOrigin | None]:
    """The innermost template node and the innermost user frame above ``frame``
    (within the request, when a request runs it: a LiveView's statements run
    in djust's view code, and the test or command that made the request is no
    origin).

    Django template nodes are read from the stack; djust's engine (and a
    Python engine's hook) answer when no Django node is rendering, or when the
    djust render was started inside the Django node.
    """
    template: TemplateOrigin | None = None
    python: PythonOrigin | None = None
    engine_checked = False
    in_request = True
    while frame is not None and (template is None or (python is None and in_request)):
        code = frame.f_code
        if code in _REQUEST_BOUNDARY:
            in_request = False
        if template is None:
            if code is _RENDER_ANNOTATED:
                template = _node_origin(frame)
            elif code in _NATIVE_RENDER_CALLERS and not engine_checked:
                template = engine_origin()
                engine_checked = True
        if python is None and in_request and not _is_framework(code.co_filename):
            python = PythonOrigin(file=code.co_filename, line=frame.f_lineno, function=code.co_name)
        frame = frame.f_back
    if template is None and not engine_checked:
        template = engine_origin()
    return template, python


def caller_frame(depth: int = 1) -> FrameType:
    """The frame ``depth`` levels above the caller of this function."""
    return sys._getframe(depth + 1)


def _relative(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith(".." + os.sep + "..") else rel
