"""One spelling per email address, and no address that only looks like another.

An address is stored in one normal form, so "ANN@Example.org", "ann@example.org" typed in full-width
letters and "ann@EXAMPLE.org" are one account:

- Unicode NFKC (compatibility forms become their plain letters), surrounding spaces dropped;
- lower case, as the accounts always were (mail providers treat the local part that way);
- the domain IDNA-encoded (RFC 3490, Python's codec): "b\u00fccher.example" is stored as
  "xn--bcher-kva.example", the form DNS and SMTP use.

A lookalike is refused (``EmailAddressError``), so "paypal.com" spelt with a Cyrillic "a" or "bill"
with a dotless "i" (U+0131) can never become a second account beside the real one. The rules follow Unicode's
UTS #39 (security mechanisms) in a small form: a part of the address (the local part, each label of
the domain) may not mix letters of two scripts ("mixed-script"), and a part with any non-ASCII
letter may not read as plain ASCII once its confusable letters are replaced ("whole-script" and
single-letter lookalikes). Names in one script of their own (a Cyrillic domain under .xn--p1ai) stay welcome.
"""

from __future__ import annotations

import unicodedata

# Letters that render like an ASCII letter: a subset of Unicode's confusables.txt (UTS #39) for the
# Cyrillic, Greek and Latin letters seen in spoofed addresses, plus the dotless i and the long s.
CONFUSABLE_WITH_ASCII = {
    "\N{CYRILLIC SMALL LETTER A}": "a",
    "\N{CYRILLIC SMALL LETTER VE}": "b",
    "\N{CYRILLIC SMALL LETTER IE}": "e",
    "\N{CYRILLIC SMALL LETTER KA}": "k",
    "\N{CYRILLIC SMALL LETTER EM}": "m",
    "\N{CYRILLIC SMALL LETTER EN}": "h",
    "\N{CYRILLIC SMALL LETTER O}": "o",
    "\N{CYRILLIC SMALL LETTER ER}": "p",
    "\N{CYRILLIC SMALL LETTER ES}": "c",
    "\N{CYRILLIC SMALL LETTER TE}": "t",
    "\N{CYRILLIC SMALL LETTER U}": "y",
    "\N{CYRILLIC SMALL LETTER HA}": "x",
    "\N{CYRILLIC SMALL LETTER DZE}": "s",
    "\N{CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I}": "i",
    "\N{CYRILLIC SMALL LETTER JE}": "j",
    "\N{CYRILLIC SMALL LETTER KOMI DE}": "d",
    "\N{CYRILLIC SMALL LETTER QA}": "q",
    "\N{CYRILLIC SMALL LETTER WE}": "w",
    "\N{CYRILLIC SMALL LETTER SHHA}": "h",
    "\N{CYRILLIC SMALL LETTER PALOCHKA}": "l",
    "\N{CYRILLIC SMALL LETTER SOFT SIGN}": "b",
    "\N{LATIN SMALL LETTER SCRIPT G}": "g",
    "\N{GREEK SMALL LETTER ALPHA}": "a",
    "\N{GREEK SMALL LETTER BETA}": "b",
    "\N{GREEK SMALL LETTER EPSILON}": "e",
    "\N{GREEK SMALL LETTER IOTA}": "i",
    "\N{GREEK SMALL LETTER KAPPA}": "k",
    "\N{GREEK SMALL LETTER NU}": "v",
    "\N{GREEK SMALL LETTER OMICRON}": "o",
    "\N{GREEK SMALL LETTER RHO}": "p",
    "\N{GREEK SMALL LETTER TAU}": "t",
    "\N{GREEK SMALL LETTER UPSILON}": "u",
    "\N{GREEK SMALL LETTER CHI}": "x",
    "\N{GREEK SMALL LETTER GAMMA}": "y",
    "\N{LATIN SMALL LETTER DOTLESS I}": "i",
    "\N{LATIN SMALL LETTER LONG S}": "s",
    "\N{LATIN SMALL LETTER DOTLESS J}": "j",
    "\N{LATIN SMALL LETTER ALPHA}": "a",
    "\N{LATIN SMALL LETTER IOTA}": "i",
    "\N{LATIN LETTER SMALL CAPITAL L}": "l",
    "\N{SCRIPT SMALL L}": "l",
}


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
