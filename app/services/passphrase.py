"""How strong a new passphrase is: length, the common-password lists and an estimate of guesses (zxcvbn).

A passphrase is the only thing between someone who copied vault.json and the office's data key
(Argon2id makes each guess cost about half a second, see docs/trust-model.md). So besides a
minimum length, a passphrase found in the well-known lists of common passwords, or one that
zxcvbn (Dropbox's estimator, the ``zxcvbn`` package, with its ranked lists of 30,000 common
passwords, names and words) puts below score 3 (fewer than about 10^8 guesses), is refused, with
the reason in plain words and a passphrase of random words as a suggestion.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

from zxcvbn import zxcvbn

from app.i18n import N_, _

MIN_LENGTH = 8
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10^8 guesses or more
# zxcvbn spends time super-linear in the length; beyond this the passphrase is long enough anyway.
CHECKED_LENGTH = 100
# Words an office's passphrase is likely to be built from; zxcvbn counts them as known words.
OFFICE_WORDS = ("usulkan", "kelurahan", "kantor", "lurah", "operator", "dinsos", "bansos", "sandi", "password",
                "katasandi", "rahasia", "admin", "indonesia", "merdeka", "bismillah")
# Short, common Indonesian words for the suggestion: four of 128 give 28 bits of choice, more with
# the separator and number; the suggestion is an example of the shape, typed by a person.
_WORDS = (
    "air angin apel awan ayam bambu bantal batik batu bebek belimbing bensin benang biru bola botol buku bulan bunga "
    "burung cabai cangkir cermin cicak daun delima domba durian ember gajah garam gelas gitar gunung hijau hujan "
    "ikan jagung jahe jambu jendela jeruk kabut kacang kain kancil kapal kapur kayu kelapa kemeja kertas kecap kipas "
    "kopi kota kuda kunci kunyit lampu langit laut lemari lilin mangga manggis meja melati merah nanas nasi obor "
    "ombak padi pagar pantai papan pasir payung pelangi pensil perahu pintu piring pisang pohon pulau rambutan "
    "rumah rusa sabun salak sapi sarung sawah sayur sepatu sepeda semut singa sungai surat susu tahu tali tanah "
    "tangga tebu teh telur tempe terang tikar timun topi tomat udang ular usang wajan warung wortel zaitun"
).split()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str | None = None  # "short", "blank", "common", "guessable"
    score: int = 0


def _collapse(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def suggestion() -> str:
    """A passphrase of four random words and a number, as an example to adapt."""
    words = [secrets.choice(_WORDS) for _ in range(4)]
    return f"{' '.join(words)} {secrets.randbelow(90) + 10}"


def assess(passphrase: str, *, user_inputs: tuple[str, ...] | list[str] = ()) -> Verdict:
    if not passphrase.strip():
        return Verdict(False, "blank")
    if len(passphrase) < MIN_LENGTH:
        return Verdict(False, "short")
    collapsed = _collapse(passphrase)
    for text in user_inputs:
        # Your own name (or the office's) with a little added is what a guesser tries first.
        name = _collapse(text or "")
        if len(name) >= 4 and name in collapsed and len(collapsed) - len(name) < 6:
            return Verdict(False, "guessable")
    inputs = [word for text in (*user_inputs, *OFFICE_WORDS) if text for word in str(text).casefold().split()]
    result = zxcvbn(passphrase[:CHECKED_LENGTH], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return Verdict(True, None, result["score"])
    common = any(m.get("pattern") == "dictionary" and m.get("dictionary_name") == "passwords"
                 and len(m.get("token", "")) >= 0.6 * len(passphrase.strip()) for m in result["sequence"])
    return Verdict(False, "common" if common else "guessable", result["score"])


_MESSAGES = {
    "blank": N_("A passphrase of spaces only cannot protect the office."),
    "short": N_("The passphrase needs at least {minimum} characters (now {count})."),
    "common": N_("This passphrase is in the lists of the most common passwords; "
                 "those are the first ones anyone tries."),
    "guessable": N_("This passphrase is too easy to guess (a name, a date, a word with a few digits, "
                    "or a keyboard pattern)."),
}
SUGGESTION = N_("Use three or four words that do not belong together, for example: {example}")


@functools.cache
def screen_suggestion() -> str:
    """One suggestion per run for feedback shown while typing (a new one at each key would flicker)."""
    return suggestion()


def problem(passphrase: str, *, user_inputs: tuple[str, ...] | list[str] = (), example: str | None = None) -> str | None:
    """What is wrong with ``passphrase``, with a suggestion, in the current language; None if it is good."""
    verdict = assess(passphrase, user_inputs=user_inputs)
    if verdict.ok:
        return None
    text = _(_MESSAGES[verdict.reason]).format(minimum=MIN_LENGTH, count=len(passphrase))
    if verdict.reason == "short":
        return text
    return text + " " + _(SUGGESTION).format(example=example or suggestion())
