"""briefing: the two-sessions briefing booklet (参阅资料), laid out from YAML and verified.

Public surface: ``build`` (data file → verified PDF), ``load`` (data file → model) and
``verify`` (PDF → report); the exceptions are in ``briefing.errors``.

The package follows the pipeline, one subpackage per stage, each importing only earlier ones:
``data`` → ``fonts`` → ``typeset`` → ``pdf`` → ``check``, with ``commands`` on top and the shared
services (``errors``, ``cache``, ``shipped``, ``deferred``) below them all.
"""

from .deferred import install

__version__ = "0.1.0"

install()  # before anything imports reportlab: what it imports and we never use, made ready on use


def __getattr__(name):
    # Lazy, so that ``briefing --help`` does not pay for reportlab and matplotlib imports.
    if name == "build":
        from .commands.build import build
        return build
    if name == "load":
        from .data.load import load
        return load
    if name == "verify":
        from .check.verify import verify
        return verify
    raise AttributeError(name)
