"""One spelling per email address, and no address that only looks like another.

An address is stored in one normal form, so "ANN@Example.org", "ａｎｎ@example.org" (full-width)
and "ann@EXAMPLE.org" are one account:

- Unicode NFKC (compatibility forms become their plain letters), surrounding spaces dropped;
- lower case, as the accounts always were (mail providers treat the local part that way);
- the domain IDNA-encoded (RFC 3490, Python's codec): "bücher.example" is stored as
  "xn--bcher-kva.example", the form DNS and SMTP use.

A lookalike is refused (``EmailAddressError``), so "pаypal.com" with a Cyrillic "а" or "bıll" with
a dotless "ı" can never become a second account beside the real one. The rules follow Unicode's
UTS #39 (security mechanisms) in a small form: a part of the address (the local part, each label of
the domain) may not mix letters of two scripts ("mixed-script"), and a part with any non-ASCII
letter may not read as plain ASCII once its confusable letters are replaced ("whole-script" and
single-letter lookalikes). Names in one script of their own ("пример.рф") stay welcome.
"""

from __future__ import annotations

import unicodedata

# Letters that render like an ASCII letter: a subset of Unicode's confusables.txt (UTS #39) for the
# Cyrillic, Greek and Latin letters seen in spoofed addresses, plus the dotless i and the long s.
CONFUSABLE_WITH_ASCII = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
    "ь": "b", "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "γ": "y",
    # Latin letters outside ASCII
    "ı": "i", "ſ": "s", "ȷ": "j", "ɑ": "a", "ɩ": "i", "ʟ": "l", "ℓ": "l",
}  # fmt: skip


class EmailAddressError(ValueError):
    """An address that cannot be stored; the message says why, for the ``email`` field."""


def _script(char: str) -> str | None:
    """The script of a letter, from its Unicode name ("CYRILLIC SMALL LETTER A" -> "CYRILLIC")."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def lookalike_problem(part: str) -> str | None:
    """Why one part of an address (a local part or a domain label) is refused, or None."""
    scripts = {script for script in map(_script, part) if script}
    if len(scripts) > 1:
        return f"mixes letters of different scripts ({', '.join(sorted(s.title() for s in scripts))})"
    if part.isascii():
        return None
    skeleton = "".join(CONFUSABLE_WITH_ASCII.get(char, char) for char in part)
    if skeleton.isascii():
        return f"looks like the plain address part '{skeleton}' but uses other letters"
    return None


def normalise_email(raw: str) -> str:
    """The stored form of an address, or EmailAddressError naming what is wrong with it."""
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise EmailAddressError("Enter a valid email address.")
    try:
        # An address typed in its encoded form is judged by the letters it stands for.
        unicode_domain = domain.encode("ascii").decode("idna") if domain.isascii() and "xn--" in domain else domain
    except UnicodeError:
        raise EmailAddressError("The domain of this address is not a valid domain name.") from None
    for part in (local, *unicode_domain.split(".")):
        problem = lookalike_problem(part)
        if problem:
            raise EmailAddressError(f"This address {problem}; please type it in plain letters of one script.")
    try:
        ascii_domain = unicode_domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise EmailAddressError("The domain of this address is not a valid domain name.") from None
    return f"{local}@{ascii_domain}"


def lookup_form(raw: str) -> str:
    """The form to look an address up by (login, password reset): normalised when it can be, else as
    typed, lower-cased, which then matches no account."""
    try:
        return normalise_email(raw)
    except (EmailAddressError, UnicodeError):
        return raw.strip().lower()
