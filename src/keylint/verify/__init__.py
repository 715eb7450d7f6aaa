"""Live verification (``keylint scan --verify``): ask each provider whether a key works.

- :mod:`keylint.verify.spec`: a provider's check as data (URL, where the key goes, how answers map to statuses);
- :mod:`keylint.verify.pairing`: partners and parameters from the same file/section (AWS id + secret ...);
- :mod:`keylint.verify.aws`: SigV4 signing for ``sts:GetCallerIdentity``, known canary accounts;
- :mod:`keylint.verify.client`: the only module that imports httpx (async, bounded, guarded);
- :mod:`keylint.verify.cache`: results on disk, keyed by a keyed hash, never the key;
- :mod:`keylint.verify.stage`: the post-scan stage that attaches statuses and creates KL7xx findings.

Nothing here is imported unless ``--verify`` is given (the CLI options live in
:mod:`keylint.verify.options`, which imports nothing heavy).
"""

from __future__ import annotations

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


def run_stage(report: Any, args: Any) -> None:
    """The post stage registered in ``commands/scan.py``: imports the verification code only for ``--verify``,
    so a plain scan (a pre-commit run) pays nothing for it."""
    if not getattr(args, "verify", False):
        return
    from keylint.verify.stage import run

    run(report, args)
