"""Write the example import files in docs/import-voorbeeld/ (run: python scripts/import_example.py).

A made-up history shaped like the figures the Dordrecht pilot reported for its three routes: 54
participants, 25 of them doorgestroomd with 40 outcome mentions (15 certificates, 8 internships,
8 volunteering, 6 paid work, 3 education). Names and dates are invented; nobody in it exists.
The files use the demo's municipality, so they import on `make run` (docs/import.md says how).
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "docs" / "import-voorbeeld"
MUNICIPALITY = "Gemeente Enschede"
GIVEN = [
    "Amina",
    "Yonas",
    "Samir",
    "Hevin",
    "Ruta",
    "Ahmad",
    "Lina",
    "Dawit",
    "Sara",
    "Omar",
    "Noor",
    "Bilal",
    "Meron",
    "Karim",
    "Rahel",
    "Yusuf",
    "Dilan",
    "Tesfay",
    "Mariam",
    "Jamal",
]
FAMILY = [
    "Haddad",
    "Tesfaye",
    "Kaya",
    "Ahmadi",
    "Berhane",
    "Mansour",
    "Abdi",
    "Rahimi",
    "Gebre",
    "Nasser",
    "Yilmaz",
    "Hussein",
    "Alemu",
    "Karimi",
    "Saleh",
]
ROUTES = {"O": "dordrecht-onderwijs", "P": "dordrecht-participatie", "S": "dordrecht-stabilisatie"}
START = date(2021, 9, 6)


def main() -> None:
    rnd = random.Random(20211)  # noqa: S311 - made-up example data, not a secret
    people: list[list[str]] = []
    enrollments: list[list[str]] = []
    events: list[list[str]] = []
    measurements: list[list[str]] = []
    contacts: list[list[str]] = []

    def person(n: int) -> str:
        key = f"DD-{n:03d}"
        born = date(1975, 1, 1) + timedelta(days=rnd.randrange(0, 25 * 365))
        people.append(
            [
                key,
                MUNICIPALITY,
                "",
                GIVEN[n % len(GIVEN)],
                "",
                FAMILY[(n * 7) % len(FAMILY)],
                born.strftime("%d-%m-%Y"),
                "asiel",
                "bijstand",
                "ja",
                "ar ti",
                "",
                "",
                "",
            ]
        )
        return key

    def enrol(key: str, route: str, n: int, referred: date, suffix: str = "") -> str:
        traject = f"TR-{n:03d}{suffix}"
        enrollments.append([traject, key, ROUTES[route], referred.strftime("%d-%m-%Y"), "", ""])
        return traject

    def event(
        traject: str,
        on: date,
        what: str,
        reason: str = "",
        outcomes: str = "",
        to: str = "",
        to_traject: str = "",
        phase: str = "",
    ) -> None:
        events.append([traject, on.isoformat(), what, phase, reason, outcomes, to, to_traject, ""])

    def started(traject: str, referred: date) -> date:
        event(traject, referred + timedelta(days=14), "intake")
        event(traject, referred + timedelta(days=28), "gestart")
        return referred + timedelta(days=28)

    def language(key: str, n: int, on: date, moment: str, base: int) -> None:
        measurements.extend(
            [
                f"M-{n:03d}-{moment[:1]}",
                key,
                "taalniveau",
                moment,
                on.isoformat(),
                item,
                ["A0", "A1", "A2", "B1", "B2"][min(base + rnd.randrange(0, 2), 4)],
                "taaltoets",
            ]
            for item in ("lezen", "luisteren", "schrijven", "spreken")
        )

    # (route, outcomes at completion or what else happened), in the order the people were referred
    plan: list[tuple[str, str]] = (
        [("O", "opleiding_gestart,certificaat")] * 3
        + [("P", "betaald_werk,certificaat")] * 6
        + [("P", "stage,certificaat")] * 6
        + [("P", "stage")] * 2
        + [("P", "vrijwilligerswerk")] * 8
        + [("O", "zonder_vervolg")] * 4
        + [("O", "uitgevallen")] * 3
        + [("O", "niet_gestart")] * 2
        + [("O", "actief")] * 2
        + [("P", "uitgevallen")] * 2
        + [("P", "gepauzeerd")]
        + [("P", "administratief")]
        + [("P", "overgedragen_actief"), ("P", "overgedragen_afgerond")]
        + [("S", "zonder_vervolg")] * 6
        + [("S", "actief")] * 3
        + [("S", "uitgevallen")] * 2
        + [("S", "niet_gestart")]
    )
    assert len(plan) == 54
    order = list(range(54))
    rnd.shuffle(order)  # referrals over the months in a mixed order of outcomes
    drop_reasons = ["verhuizing", "gezondheid", "zorgtaken", "onbereikbaar", "motivatie"]
    for n, index in enumerate(order, start=1):
        route, what = plan[index]
        key = person(n)
        referred = START + timedelta(days=7 * (n // 2))
        traject = enrol(key, route, n, referred)
        if what == "niet_gestart":
            event(traject, referred + timedelta(days=21), "niet_gestart", reason="taalniveau_te_laag")
            continue
        begin = started(traject, referred)
        if route in "OP" and n % 3 == 0:
            language(key, n, begin, "nulmeting", 0 if route == "P" else 1)
        if n % 2 == 0:
            contacts.append(
                [
                    f"C-{n:03d}-1",
                    key,
                    (begin + timedelta(days=10)).isoformat(),
                    "gesprek",
                    "gehouden",
                    "verschenen",
                    "45",
                    "",
                ]
            )
            contacts.append(
                [
                    f"C-{n:03d}-2",
                    key,
                    (begin + timedelta(days=40)).isoformat(),
                    "huisbezoek",
                    "gehouden",
                    "niet_verschenen",
                    "",
                    "",
                ]
            )
        event(traject, begin + timedelta(days=56), "fase_gewijzigd")
        if what == "actief":
            continue
        if what == "uitgevallen":
            event(traject, begin + timedelta(days=90), "uitgevallen", reason=drop_reasons[n % len(drop_reasons)])
            continue
        if what == "gepauzeerd":
            event(traject, begin + timedelta(days=100), "gepauzeerd", reason="zwangerschap")
            continue
        if what == "administratief":
            event(traject, begin + timedelta(days=120), "administratief_afgesloten", reason="historie_zonder_einde")
            continue
        if what.startswith("overgedragen"):
            follow = f"TR-{n:03d}S"
            moved = begin + timedelta(days=80)
            event(traject, moved, "overgedragen", reason="past_beter", to=ROUTES["S"], to_traject=follow)
            enrollments.append([follow, key, ROUTES["S"], moved.strftime("%d-%m-%Y"), "", ""])
            event(follow, moved + timedelta(days=7), "intake")
            event(follow, moved + timedelta(days=14), "gestart")
            if what.endswith("afgerond"):
                event(follow, moved + timedelta(days=200), "afgerond", reason="zonder_vervolg")
            continue
        if n % 5 == 0:
            event(traject, begin + timedelta(days=70), "gepauzeerd", reason="ziekte")
            event(traject, begin + timedelta(days=98), "hervat")
        event(traject, begin + timedelta(days=150), "fase_gewijzigd")
        end = begin + timedelta(days=280 + 7 * (n % 6))
        if what == "zonder_vervolg":
            event(traject, end, "afgerond", reason="zonder_vervolg")
        else:
            event(traject, end, "afgerond", outcomes=what)
        if route in "OP" and n % 3 == 0:
            language(key, n, end, "eindmeting", 2 if route == "P" else 3)

    OUT.mkdir(parents=True, exist_ok=True)
    tables = {
        "deelnemers": (
            [
                "extern_id",
                "gemeente",
                "bsn",
                "voornaam",
                "tussenvoegsel",
                "achternaam",
                "geboortedatum",
                "verblijfsstatus",
                "uitkering",
                "inburgeringsplichtig",
                "talen",
                "email",
                "telefoon",
                "regisseur",
            ],
            people,
        ),
        "trajecten": (
            ["extern_id", "deelnemer", "programma", "aangemeld_op", "aangemeld_door", "doelgroep"],
            enrollments,
        ),
        "gebeurtenissen": (
            [
                "traject",
                "datum",
                "gebeurtenis",
                "fase",
                "reden",
                "resultaten",
                "naar_programma",
                "naar_traject",
                "notitie",
            ],
            events,
        ),
        "metingen": (
            ["extern_id", "deelnemer", "instrument", "moment", "datum", "onderdeel", "waarde", "bron"],
            measurements,
        ),
        "contacten": (
            ["extern_id", "deelnemer", "datum", "soort", "stand", "aanwezigheid", "minuten", "notitie"],
            contacts,
        ),
    }
    for name, (header, rows) in tables.items():
        with open(OUT / f"{name}.csv", "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
    print(
        f"{len(people)} deelnemers, {len(enrollments)} trajecten, {len(events)} gebeurtenissen, "
        f"{len(measurements)} meetregels, {len(contacts)} contacten in {OUT}"
    )


if __name__ == "__main__":
    main()
