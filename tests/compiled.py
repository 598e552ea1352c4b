"""What every test's app compiles, compiled once per test process instead of once per test.

Every test builds its own app (its own settings and database binding). A new app compiles each
template it renders again (about a seventh of a second for a test that renders pages) and
compiles a URL builder for each of its routes (about 60 ms an app, nine tenths of
``create_app``). Neither depends on the test: the same template source, the same route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing import Rule


class InMemoryBytecodeCache(BytecodeCache):
    """Jinja's documented way to share compiled templates between environments. Its key is
    the template's name and its checksum the source, so an edited template compiles again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED = InMemoryBytecodeCache()


def share_compiled_templates(app: Flask) -> Flask:
    """``app`` with the process's compiled templates (templates load lazily, so setting the
    cache after the environment exists is enough). Compiled code also depends on the
    environment's options (extensions, block trimming), which the key does not hold: every
    app sharing it is made by ``create_app``, so they compile alike; an app with other Jinja
    options must not share it."""
    app.jinja_env.bytecode_cache = COMPILED
    return app


@contextmanager
def shared_url_builders() -> Iterator[None]:
    """Werkzeug compiles, for each route of each app, a builder function from the rule's parts.
    The function takes the rule as its first argument (it is bound per rule afterwards), so
    rules with the same parts, defaults and converters can share one. Keyed by all of those;
    Werkzeug's own method builds each the first time."""
    compile_builder: Callable[..., Any] = Rule._compile_builder
    builders: dict[tuple[Any, ...], Any] = {}

    def shared(rule: Rule, append_unknown: bool = True) -> Any:
        key = (
            rule.rule,
            tuple(rule._trace),
            tuple(sorted((name, repr(value)) for name, value in (rule.defaults or {}).items())),
            tuple((name, type(converter)) for name, converter in rule._converters.items()),
            append_unknown,
        )
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = compile_builder(rule, append_unknown)
        return builder

    Rule._compile_builder = shared  # type: ignore[method-assign]
    try:
        yield
    finally:
        Rule._compile_builder = compile_builder  # type: ignore[method-assign]
