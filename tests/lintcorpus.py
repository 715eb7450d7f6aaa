"""A labelled corpus for the lint catalogue, generated at test time (no key is ever committed).

Valid keys come from every registered format (``KeyFormat.generate``); damaged examples
apply one kind of damage each and are labelled with the rule that must report them.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from keylint.config import Settings
from keylint.detect import Detector
from keylint.engine import analyse
from keylint.model import Entry, Finding
from keylint.parsers import format_for
from keylint.providers import builtin_providers
from keylint.providers.schema import KeyFormat, Provider
from keylint.rules.format import kind_conflict, provider_named_by

SETTINGS = Settings()
PROVIDERS = builtin_providers()
FORMATS = [(p, f) for p in PROVIDERS for f in p.formats]
DETECTOR = Detector(PROVIDERS)
LINT_CATEGORIES = {"format", "hygiene", "placeholder"}


@dataclass
class Example:
    rule: str  # the rule that must report it
    name: str  # file name (decides the format and the environment)
    text: str
    label: str  # what was done, for failure messages


def still_valid(token: str, name: str) -> bool:
    """Damage that happens to produce another valid key (for this variable) is no damage: not labelled."""
    return any(m.valid for m in DETECTOR.find(Entry(name, token, token, 1, 1)))


def lint(name: str, text: str) -> list[Finding]:
    fmt = format_for(name) or "lines"
    findings, _summary = analyse(name, name, fmt, text, SETTINGS)
    return findings


def variable_for(provider: Provider, fmt: KeyFormat, token: str) -> str | None:
    """A variable in which the detector recognises ``token`` as this provider's valid key."""
    names = [*fmt.env_vars, *provider.env_vars, f"{provider.id.upper().replace('-', '_')}_API_KEY"]
    for name in names:
        matches = DETECTOR.find(Entry(name, token, token, 1, 1))
        if any(m.valid and m.provider == provider.id for m in matches) and not any(
            kind_conflict(name, m) for m in matches
        ):
            return name
    return None


def slots(fmt: KeyFormat, token: str) -> list[tuple[int, str]]:
    """(offset, alphabet) of every character of ``token`` that sits in an alphabet slot of the format."""
    pattern = "".join(f"({s.regex()})" for s in fmt.segments)
    match = re.fullmatch(pattern, token)
    assert match is not None, (fmt.template, token)
    out = []
    for group, segment in enumerate(fmt.segments, start=1):
        if not segment.is_literal:
            out.extend((i, segment.alphabet) for i in range(match.start(group), match.end(group)))
    return out


def dotenv_line(name: str, value: str) -> str:
    if re.search(r"[\s#$'\"\\`]", value):
        return f"{name}='{value}'"
    return f"{name}={value}"


def yaml_scalar(value: str) -> str:
    try:
        plain_ok = yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok and not value.startswith(("'", '"')):
        return value
    return "'" + value.replace("'", "''") + "'"


def valid_keys(seed: int) -> Iterator[tuple[Provider, KeyFormat, str, str]]:
    """(provider, format, variable, key) for every registered format."""
    for provider, fmt in FORMATS:
        token = fmt.generate(random.Random(f"valid/{provider.id}/{fmt.template}/{seed}"))
        name = variable_for(provider, fmt, token)
        if name is not None:
            yield provider, fmt, name, token


def valid_files(seed: int) -> dict[str, str]:
    """Every valid key written the way each format expects, one variable each."""
    keys = list(valid_keys(seed))
    dotenv = "\n".join(dotenv_line(f"V{i}_{name}", token) for i, (_, _, name, token) in enumerate(keys))
    yaml_text = "keys:\n" + "\n".join(
        f"  v{i}_{name.lower()}: {yaml_scalar(token)}" for i, (_, _, name, token) in enumerate(keys)
    )
    json_text = json.dumps({f"V{i}_{name}": token for i, (_, _, name, token) in enumerate(keys)}, indent=2)
    toml_text = "\n".join(f"V{i}_{name} = {json.dumps(token)}" for i, (_, _, name, token) in enumerate(keys))
    return {".env": dotenv + "\n", "config.yaml": yaml_text + "\n", "config.json": json_text, "config.toml": toml_text}


# -- damage ------------------------------------------------------------------------------------

PREFIXED = [(p, f) for p, f in FORMATS if f.prefix and not f.needs_context]
CHECKSUMMED = [(p, f) for p, f in FORMATS if f.checksum]
INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u00a0", "\u202f"]
LOOKALIKES = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "x": "х",
    "y": "у",
    "A": "Α",
    "B": "В",
    "E": "Ε",
    "K": "К",
    "M": "М",
    "H": "Н",
    "O": "О",
    "P": "Р",
    "T": "Т",
    "X": "Х",
    "-": "–",
}


def _keys(
    formats: list[tuple[Provider, KeyFormat]], count: int, tag: str
) -> Iterator[tuple[Provider, KeyFormat, str, str, random.Random]]:
    """``count`` (provider, format, variable, key, rng) drawn round-robin from ``formats``."""
    produced = 0
    for seed in range(count * 4):
        provider, fmt = formats[seed % len(formats)]
        rng = random.Random(f"{tag}/{seed}")
        token = fmt.generate(rng)
        name = variable_for(provider, fmt, token)
        if name is None or len(token) > 300:
            continue
        yield provider, fmt, name, token, rng
        produced += 1
        if produced >= count:
            return


def checksum_examples(count: int = 40) -> Iterator[Example]:
    for provider, fmt, name, token, rng in _keys(CHECKSUMMED, count, "checksum"):
        offset, alphabet = rng.choice(slots(fmt, token))
        replacement = rng.choice([c for c in alphabet if c != token[offset]])
        damaged = token[:offset] + replacement + token[offset + 1 :]
        if still_valid(damaged, name):
            continue
        yield Example("KL201", ".env", dotenv_line(name, damaged) + "\n", f"{provider.id} {fmt.kind} @{offset}")


def length_examples(count: int = 60) -> Iterator[Example]:
    for provider, fmt, name, token, rng in _keys(PREFIXED, count, "length"):
        body = fmt.min_length - len(fmt.prefix)
        last = fmt.segments[-1]
        if fmt.min_length == fmt.max_length and not last.is_literal and rng.random() < 0.4:
            extra = "".join(rng.choice(last.alphabet) for _ in range(rng.randint(1, 2)))
            damaged = token + extra
        else:
            cut = rng.randint(1, min(3, max(1, body // 4)))
            damaged = token[: fmt.min_length - cut] if len(token) >= fmt.min_length else token[:-cut]
        if still_valid(damaged, name):
            continue
        yield Example("KL202", ".env", dotenv_line(name, damaged) + "\n", f"{provider.id} {fmt.kind} {len(damaged)}")


def _narrow(alphabet: str) -> bool:
    return any(
        c.isalnum() and c.isascii() and c not in alphabet
        for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    )


def alphabet_examples(count: int = 40) -> Iterator[Example]:
    narrow = [(p, f) for p, f in FORMATS if any(not s.is_literal and _narrow(s.alphabet) for s in f.segments)]
    for provider, fmt, name, token, rng in _keys(narrow, count, "alphabet"):
        positions = [(i, a) for i, a in slots(fmt, token) if _narrow(a) and i >= len(fmt.prefix)]
        offset, alphabet = rng.choice(positions)
        confusion = {"O": "0", "0": "O", "1": "l", "l": "1", "I": "1", "S": "5", "B": "8", "8": "B", "Z": "2"}
        options = [c for c in confusion.get(token[offset], "") if c not in alphabet] or [
            c for c in "0189OIlSBZgzoxu" if c not in alphabet
        ]
        damaged = token[:offset] + rng.choice(options) + token[offset + 1 :]
        if still_valid(damaged, name):
            continue
        yield Example("KL203", ".env", dotenv_line(name, damaged) + "\n", f"{provider.id} {fmt.kind} @{offset}")


def _prefix_typos(prefix: str) -> list[str]:
    out = set()
    for i, char in enumerate(prefix):
        if char in "_-.":
            out.update(prefix[:i] + other + prefix[i + 1 :] for other in "_-." if other != char)
        if i > 0:
            out.add(prefix[:i] + prefix[i + 1 :])  # a dropped character
        if char.isalpha() and i > 0:
            out.add(prefix[:i] + char.swapcase() + prefix[i + 1 :])
    for i in range(1, len(prefix) - 1):
        if prefix[i] != prefix[i + 1]:
            out.add(prefix[:i] + prefix[i + 1] + prefix[i] + prefix[i + 2 :])  # two neighbours swapped
    registered = {f.prefix for _, f in FORMATS if f.prefix}
    return sorted(t for t in out if t not in registered and t and not any(t.startswith(r) for r in registered))


def prefix_examples(count: int = 60) -> Iterator[Example]:
    candidates = [(p, f) for p, f in PREFIXED if len(f.prefix) >= 3 and _prefix_typos(f.prefix)]
    for provider, fmt, name, token, rng in _keys(candidates, count, "prefix"):
        typo = rng.choice(_prefix_typos(fmt.prefix))
        damaged = typo + token[len(fmt.prefix) :]
        yield Example("KL204", ".env", dotenv_line(name, damaged) + "\n", f"{provider.id} {typo!r}")


def _plain(fmt: KeyFormat, special: str) -> bool:
    """Keys of this format never contain any of ``special`` (so they can be written without quoting)."""
    return not any(c in fmt.charset for c in special)


def whitespace_examples(count: int = 42) -> Iterator[Example]:
    shapes = [
        lambda n, k: f'{n}=" {k}"',
        lambda n, k: f'{n}="{k} "',
        lambda n, k: f'{n}="{k}\\n"',
        lambda n, k: f"{n}='{k}\\n'",
        lambda n, k: f'{n}="\t{k}"',
        lambda n, k: f'{n}="{k[: len(k) // 2 + 2]} {k[len(k) // 2 + 2 :]}"',
    ]
    formats = [(p, f) for p, f in FORMATS if _plain(f, " #$'\"\\")]
    for i, (provider, _fmt, name, token, _rng) in enumerate(_keys(formats, count, "whitespace")):
        shape = shapes[i % len(shapes)]
        yield Example("KL205", ".env", shape(name, token) + "\n", f"{provider.id} shape {i % len(shapes)}")
    for provider, _fmt, name, token, _rng in _keys(formats, 8, "whitespace-yaml"):
        yield Example("KL205", "app.yaml", f'app:\n  {name.lower()}: "{token} "\n', f"{provider.id} yaml")


def invisible_examples(count: int = 40) -> Iterator[Example]:
    for i, (provider, fmt, name, token, rng) in enumerate(_keys(FORMATS, count, "invisible")):
        start = len(fmt.prefix) + 1
        if i % 3 == 2 and any(c in LOOKALIKES for c in token[start:]):
            offset = rng.choice([j for j in range(start, len(token)) if token[j] in LOOKALIKES])
            damaged = token[:offset] + LOOKALIKES[token[offset]] + token[offset + 1 :]
        else:
            offset = rng.randint(start, len(token) - 1)
            damaged = token[:offset] + rng.choice(INVISIBLES) + token[offset:]
        line = f"{name}={damaged}" if not re.search(r"[#$'\"\\\s]", token) else f"{name}='{damaged}'"
        yield Example("KL206", ".env", line + "\n", f"{provider.id} @{offset} {damaged[offset]!r}")


def smart_quote_examples(count: int = 36) -> Iterator[Example]:
    pairs = [("“", "”"), ("‘", "’"), ("«", "»"), ("„", "“")]
    formats = [(p, f) for p, f in FORMATS if _plain(f, " #$'\"\\")]
    for i, (provider, _fmt, name, token, _rng) in enumerate(_keys(formats, count, "smart")):
        left, right = pairs[i % len(pairs)]
        if i % 3 == 0:
            text = f'{name}="{left}{token}{right}"\n'
        elif i % 3 == 1:
            text = f"{name}={left}{token}{right}\n"
        else:
            text = f"app:\n  {name.lower()}: {left}{token}{right}\n"
        yield Example("KL207", ".env" if i % 3 < 2 else "app.yaml", text, f"{provider.id} {left}{right}")


def duplicated_paste_examples(count: int = 40) -> Iterator[Example]:
    formats = [(p, f) for p, f in FORMATS if _plain(f, " #$'\"\\=")]
    for i, (provider, _fmt, name, token, _rng) in enumerate(_keys(formats, count, "paste")):
        value = token + token if i % 2 == 0 else f"{name}={token}"
        yield Example("KL208", ".env", f"{name}={value}\n", f"{provider.id} {'twice' if i % 2 == 0 else 'NAME='}")


def wrapped_examples(count: int = 40) -> Iterator[Example]:
    formats = [(p, f) for p, f in FORMATS if _plain(f, " #$'\"\\:=") and f.min_length >= 20]
    for i, (provider, fmt, name, token, rng) in enumerate(_keys(formats, count, "wrapped")):
        cut = rng.randint(len(fmt.prefix) + 4, len(token) - 4)
        head, tail = token[:cut], token[cut:]
        shape = i % 4
        if shape == 0:
            name_, text = "app.yaml", f"app:\n  {name.lower()}: |\n    {head}\n    {tail}\n"
        elif shape == 1:
            name_, text = "app.yaml", f"app:\n  {name.lower()}: {head}\n    {tail}\n"
        elif shape == 2:
            name_, text = ".env", f'{name}="{head}\n{tail}"\n'
        else:
            name_, text = "config.json", json.dumps({name: f"{head}\n{tail}"})
        yield Example("KL209", name_, text, f"{provider.id} shape {shape}")


def provider_mismatch_examples(count: int = 40) -> Iterator[Example]:
    rng = random.Random("mismatch")
    named = [(p, v) for p in PROVIDERS for v in p.env_vars if provider_named_by(v) == p.id]
    keys = [(p, f) for p, f in PREFIXED if f.secret]
    produced = 0
    while produced < count - 6:
        provider, variable = rng.choice(named)
        other, fmt = rng.choice(keys)
        if other.id == provider.id or any(f.template == fmt.template for f in provider.formats):
            continue
        if (provider.id, other.id) in {("bitbucket", "atlassian"), ("npm", "github")}:
            continue
        if DETECTOR.named_for(other.id, variable):
            continue
        token = fmt.generate(rng)
        line = dotenv_line(variable, token)
        yield Example("KL210", ".env", line + "\n", f"{other.id} key in {variable}")
        produced += 1
    stripe = next(p for p in PROVIDERS if p.id == "stripe")
    aws = next(p for p in PROVIDERS if p.id == "aws")
    pk = next(f for f in stripe.formats if f.kind == "publishable-key" and f.environment == "live").generate(rng)
    sk = next(f for f in stripe.formats if f.kind == "secret-key" and f.environment == "live").generate(rng)
    akid = next(f for f in aws.formats if f.kind == "access-key-id").generate(rng)
    secret = next(f for f in aws.formats if f.kind == "secret-access-key").generate(rng)
    yield Example("KL210", ".env", f"STRIPE_SECRET_KEY={pk}\n", "pk_ in a secret variable")
    yield Example("KL210", ".env", f"NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY={sk}\n", "sk_ in a public variable")
    yield Example("KL210", ".env", f"AWS_SECRET_ACCESS_KEY={akid}\n", "AWS id in the secret")
    yield Example("KL210", ".env", f"AWS_ACCESS_KEY_ID={secret}\n", "AWS secret in the id")
    yield Example("KL210", ".env", f"AWS_ACCESS_KEY_ID={secret}\nAWS_SECRET_ACCESS_KEY={akid}\n", "AWS swapped")
    yield Example("KL210", ".env", f"LANGFUSE_SECRET_KEY=pk-lf-{_uuid(rng)}\n", "Langfuse public key as secret")


def _uuid(rng: random.Random) -> str:
    h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def environment_examples(count: int = 40) -> Iterator[Example]:
    # A live publishable key in development is allowed (it moves no money on its own).
    formats = [
        (p, f)
        for p, f in FORMATS
        if (f.environment == "test" or (f.environment == "live" and f.secret)) and not f.needs_context
    ]
    places_test = [
        (".env.production", "{n}={k}\n"),
        ("values-prod.yaml", "app:\n  {ln}: '{k}'\n"),
        ("config.yaml", "production:\n  {ln}: '{k}'\n"),
        ("prod.env", "{n}={k}\n"),
    ]
    places_live = [
        (".env.development", "{n}={k}\n"),
        (".env.test", "{n}={k}\n"),
        ("config.yaml", "development:\n  {ln}: '{k}'\n"),
        ("settings_dev.toml", "{n} = '{k}'\n"),
    ]
    for i, (provider, fmt, name, token, _rng) in enumerate(_keys(formats, count, "environment")):
        places = places_test if fmt.environment == "test" else places_live
        file_name, template = places[i % len(places)]
        if "'" in token or "$" in token:
            template = template.replace("'{k}'", '"{k}"').replace("={k}", "='{k}'")
        text = template.format(n=name, ln=name.lower(), k=token)
        yield Example("KL211", file_name, text, f"{provider.id} {fmt.environment} in {file_name}")


def _random_secret(rng: random.Random, size: int = 20) -> str:
    return "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(size))


SECRET_NAMES = [
    "DB_PASSWORD",
    "SESSION_SECRET",
    "API_TOKEN",
    "SIGNING_KEY",
    "ADMIN_PASSWORD",
    "WEBHOOK_SECRET",
    "JWT_SECRET",
    "SMTP_PASSWORD",
    "REDIS_PASSWORD",
    "APP_SECRET_KEY",
]


def dotenv_comment_examples(count: int = 40) -> Iterator[Example]:
    rng = random.Random("comment")
    for i in range(count):
        name = SECRET_NAMES[i % len(SECRET_NAMES)]
        left, right = _random_secret(rng, 12), _random_secret(rng, rng.randint(2, 8))
        text = f"{name}={left}#{right}\n" if i % 2 == 0 else f"{name}={left} #{right}\n"
        yield Example("KL301", ".env", text, text.strip())


def dotenv_interpolation_examples(count: int = 40) -> Iterator[Example]:
    rng = random.Random("interpolation")
    for i in range(count):
        name = SECRET_NAMES[i % len(SECRET_NAMES)]
        left, right = _random_secret(rng, 10), _random_secret(rng, 8)
        joiner = rng.choice(["$", "$$", "$1", "${", "$_"])
        value = f"{left}{joiner}{right}"
        text = f"{name}={value}\n" if i % 2 == 0 else f'{name}="{value}"\n'
        yield Example("KL302", ".env", text, text.strip())


def unbalanced_quote_examples(count: int = 40) -> Iterator[Example]:
    rng = random.Random("quote")
    for i in range(count):
        name = SECRET_NAMES[i % len(SECRET_NAMES)]
        secret = _random_secret(rng, 24)
        quote = rng.choice("\"'")
        text = f"{name}={quote}{secret}\nOTHER_SETTING=on\n" if i % 2 == 0 else f"{name}={secret}{quote}\n"
        yield Example("KL303", ".env", text, text.splitlines()[0])


def duplicate_examples(count: int = 40) -> Iterator[Example]:
    rng = random.Random("duplicate")
    for i in range(count):
        name = SECRET_NAMES[i % len(SECRET_NAMES)]
        first, second = _random_secret(rng), rng.choice([_random_secret(rng), "your-api-key-here"])
        shape = i % 3
        if shape == 0:
            yield Example("KL304", ".env", f"{name}={first}\nPORT=8080\n{name}={second}\n", "dotenv")
        elif shape == 1:
            key = name.lower()
            yield Example("KL304", "app.yaml", f"app:\n  {key}: {first}\n  port: 8080\n  {key}: {second}\n", "yaml")
        else:
            yield Example("KL304", "app.json", f'{{"{name}": "{first}", "port": 1, "{name}": "{second}"}}', "json")


def yaml_coercion_examples(count: int = 42) -> Iterator[Example]:
    rng = random.Random("coercion")
    makers = [
        lambda: "0" + "".join(rng.choice("01234567") for _ in range(rng.randint(7, 15))),  # octal
        lambda: (
            "".join(rng.choice("123456789") for _ in range(4))
            + "e"
            + "".join(rng.choice("0123456789") for _ in range(4))
        ),
        lambda: "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(16)),
        lambda: "".join(rng.choice("123456789") for _ in range(rng.randint(8, 18))),  # plain integer
        lambda: f"{rng.randint(1, 99)}:{rng.randint(10, 59)}:{rng.randint(10, 59)}",  # sexagesimal
        lambda: f"{rng.randint(1, 9)}.{''.join(rng.choice('0123456789') for _ in range(17))}",  # float
        lambda: f"20{rng.randint(10, 29)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",  # date
    ]
    for i in range(count):
        name = SECRET_NAMES[i % len(SECRET_NAMES)].lower()
        value = makers[i % len(makers)]()
        yield Example("KL305", "config.yaml", f"service:\n  {name}: {value}\n", value)


PLACEHOLDERS = [
    "your-api-key-here",
    "<YOUR_API_KEY>",
    "xxxxxxxxxxxxxxxx",
    "changeme",
    "TODO",
    "sk-...",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "replace_me",
    "dummy",
    "exampledonotuse1234",
    "insert-your-token-here",
    "YOUR_TOKEN_HERE",
    "<token>",
    "sk_live_XXXXXXXXXXXXXXXXXXXXXXXX",
    "********",
    "placeholder",
    "REPLACE_WITH_YOUR_KEY",
    "your_secret_here",
    "change-me-please",
    "fake-key-for-local-dev",
    "sk-proj-...",
    "[API_KEY]",
    "AKIA...",
    "tbd",
    "xoxb-your-token",
    "put-your-key-here",
    "my-secret-key",
    "secret",
    "password",
    "<insert key>",
]
KEY_VARIABLES = [
    "OPENAI_API_KEY",
    "STRIPE_SECRET_KEY",
    "GITHUB_TOKEN",
    "ANTHROPIC_API_KEY",
    "SENDGRID_API_KEY",
    "SLACK_BOT_TOKEN",
    "API_KEY",
    "AUTH_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "MISTRAL_API_KEY",
]


def placeholder_examples() -> Iterator[Example]:
    for i, value in enumerate(PLACEHOLDERS):
        name = KEY_VARIABLES[i % len(KEY_VARIABLES)]
        file_name = [".env", ".env.production", "config.yaml"][i % 3]
        text = f"{name}={value}\n" if file_name != "config.yaml" else f"app:\n  {name.lower()}: '{value}'\n"
        yield Example("KL401", file_name, text, value)


def empty_key_examples() -> Iterator[Example]:
    names = [v for p in PROVIDERS for v in p.env_vars if re.search(r"(KEY|TOKEN|SECRET)$", v)][:36]
    for i, name in enumerate(names):
        if i % 3 == 2:
            yield Example("KL402", "config.yaml", f"production:\n  {name.lower()}:\n", name)
        else:
            yield Example(
                "KL402",
                ".env.production" if i % 3 == 0 else "values-prod.yaml",
                f"{name}=\n" if i % 3 == 0 else f"app:\n  {name.lower()}: ''\n",
                name,
            )


DAMAGE = {
    "KL201": checksum_examples,
    "KL202": length_examples,
    "KL203": alphabet_examples,
    "KL204": prefix_examples,
    "KL205": whitespace_examples,
    "KL206": invisible_examples,
    "KL207": smart_quote_examples,
    "KL208": duplicated_paste_examples,
    "KL209": wrapped_examples,
    "KL210": provider_mismatch_examples,
    "KL211": environment_examples,
    "KL301": dotenv_comment_examples,
    "KL302": dotenv_interpolation_examples,
    "KL303": unbalanced_quote_examples,
    "KL304": duplicate_examples,
    "KL305": yaml_coercion_examples,
    "KL401": placeholder_examples,
    "KL402": empty_key_examples,
}
