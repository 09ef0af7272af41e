"""Check (or with --write: refill and compile) the English catalogue without GNU gettext.

Fails when an interface string has no English translation or the compiled .mo is out of date, so
a Dutch string added without translation is caught in `make test`.
"""

import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).parent))
from translations_en import EN, PLURALS  # noqa: E402

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def main() -> int:
    write = "--write" in sys.argv
    catalogue = polib.pofile(str(PO))
    missing = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            wanted = PLURALS.get(entry.msgid)
            if wanted is None:
                missing.append(entry.msgid)
            elif write:
                entry.msgstr_plural = {0: wanted[0], 1: wanted[1]}
        else:
            wanted_text = EN.get(entry.msgid)
            if wanted_text is None:
                missing.append(entry.msgid)
            elif write:
                entry.msgstr = wanted_text
        if write and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    if missing:
        print(f"{len(missing)} Dutch strings have no English translation in scripts/translations_en.py:")
        for msgid in missing:
            print(f"  {msgid!r}")
        return 1
    mo = PO.with_suffix(".mo")
    if write:
        catalogue.save(str(PO))
        catalogue.save_as_mofile(str(mo))
    untranslated = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    if untranslated:
        print(f"{len(untranslated)} entries untranslated in {PO.name}; run with --write.")
        return 1
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(mo))} if mo.exists() else {}
    stale = [e.msgid for e in catalogue if not e.obsolete and not e.msgid_plural and compiled.get(e.msgid) != e.msgstr]
    if stale:
        print(f"{len(stale)} entries differ between django.po and django.mo; run with --write.")
        return 1
    print(f"English catalogue complete: {len(catalogue.translated_entries())} strings.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
