"""``keylint providers [ID]``: the key formats keylint knows."""

from __future__ import annotations

import argparse

from keylint.config import ConfigError


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("providers", help="list the providers and key formats keylint recognises")
    parser.add_argument("id", nargs="?", help="show one provider's formats in detail")


def run(args: argparse.Namespace) -> int:
    from keylint.providers import all_providers, by_id

    if args.id:
        provider = by_id(args.id.lower())
        if provider is None:
            raise ConfigError(f"unknown provider {args.id!r}; `keylint providers` lists them")
        print(f"{provider.name} ({provider.id})")
        for fmt in provider.formats:
            extra = [x for x in (fmt.environment, "checksum " + fmt.checksum if fmt.checksum else None) if x]
            if not fmt.secret:
                extra.append("public")
            if fmt.needs_context:
                extra.append("needs variable name")
            length = str(fmt.min_length) if fmt.min_length == fmt.max_length else f"{fmt.min_length}-{fmt.max_length}"
            print(f"  {fmt.kind:<28} {fmt.template}  ({length} chars{'; ' + ', '.join(extra) if extra else ''})")
        if provider.env_vars:
            print(f"  variables: {', '.join(provider.env_vars)}")
        if provider.rotate_url:
            print(f"  rotate at: {provider.rotate_url}")
        from keylint.verify.spec import NoCheck, checks_of, describe

        checks = checks_of(provider)
        verify = provider.verify if isinstance(provider.verify, tuple) else (provider.verify,)
        unchecked = [entry for entry in verify if isinstance(entry, NoCheck)]
        print(f"  live verification (--verify): {'' if checks or unchecked else 'none'}".rstrip())
        for check in checks:
            print(f"    {describe(check)}")
        for entry in unchecked:
            print(f"    {', '.join(entry.kinds) if entry.kinds else 'all kinds'}: unverifiable ({entry.reason})")
        return 0
    providers = all_providers()
    for p in providers:
        kinds = ", ".join(dict.fromkeys(f.kind for f in p.formats))
        print(f"{p.id:<18} {p.name:<26} {kinds}")
    print(f"\n{len(providers)} providers, {sum(len(p.formats) for p in providers)} key formats")
    return 0
