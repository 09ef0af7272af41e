"""Name lists for synthetic demo people: varied, common in the Netherlands, none tied to a real person."""

GIVEN_NAMES = [
    "Anna", "Daan", "Emma", "Noah", "Sophie", "Lucas", "Julia", "Sem", "Tess", "Liam", "Sara", "Milan",
    "Fatima", "Mohamed", "Yasmina", "Ahmed", "Aisha", "Omar", "Nour", "Youssef", "Meryem", "Hamza",
    "Senait", "Daniel", "Helen", "Filmon", "Selam", "Yonas", "Rahel", "Samuel", "Luwam", "Biniam",
    "Maria", "Ionut", "Elena", "Marius", "Florin", "Andreea", "Stefan", "Ioana", "Mirela", "Robert",
    "Kees", "Ingrid", "Piet", "Marloes", "Henk", "Ellen", "Jeroen", "Nicole", "Bas", "Ilse", "Ruben",
    "Olga", "Dmytro", "Iryna", "Oleksandr", "Rania", "Karim", "Layla", "Tarek", "Dilan", "Baran",
]

FAMILY_NAMES = [
    ("", "Jansen"), ("de", "Vries"), ("van", "Dijk"), ("", "Bakker"), ("", "Visser"), ("", "Smit"),
    ("", "Meijer"), ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"), ("", "Vos"),
    ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"), ("", "Brouwer"), ("de", "Wit"),
    ("", "El Amrani"), ("", "Bouzid"), ("", "Yilmaz"), ("", "Kaya"), ("", "Demir"), ("", "Haddad"),
    ("", "Tesfay"), ("", "Gebremedhin"), ("", "Haile"), ("", "Berhane"), ("", "Kidane"), ("", "Tekle"),
    ("", "Popescu"), ("", "Ionescu"), ("", "Stan"), ("", "Dumitru"), ("", "Constantin"), ("", "Lungu"),
    ("van den", "Berg"), ("ter", "Horst"), ("", "Nijhuis"), ("", "Oude Engberink"), ("", "Kamphuis"),
    ("", "Kovalenko"), ("", "Shevchenko"), ("", "Al Masri"), ("", "Hussein"), ("", "Ibrahim"),
]

LANGUAGES = ["nl", "ar", "ti", "tr", "ro", "rom", "uk", "ku", "so", "fa", "en", "pl", "bg"]
