"""The access oracle: who may do what, written as data from the product brief and reviewed by the
privacy officer. It is deliberately NOT derived from `access.policy`; the tests compare the two.

Routes to a participant's data:
- "task":     the responsible municipality's statutory task: every category, no grant needed.
- "team":     personally on the participant's team: identity and programme/phase always; any other
              category only with an active sharing grant to the user's organisation.
- "overview": someone of the user's organisation is on the team: identity and programme/phase,
              view only (a team lead's caseload overview).
- "own":      the participant's own file: view and export.
- "referral": an open referral to the user's organisation that the participant's consent (an
              active grant of programme and phase to that organisation) covers: identity and
              programme/phase, view only, so the organisation can decide whether to accept.
- "written request": the privacy officer answers a participant's written access request (AVG
              art. 15) with the complete export: every category, export only, one file at a time,
              found by its BSN within the municipalities the officer's municipality serves.
Nobody deletes through the application (retention and erasure have their own paths).
"""

ALL = frozenset(
    {
        "identiteit",
        "contact",
        "traject",
        "plan",
        "metingen",
        "notities",
        "werk_opleiding",
        "gezondheid",
        "schulden",
        "justitie",
    }
)
BASELINE = frozenset({"identiteit", "traject"})
ACTIONS = ("view", "change", "export", "delete")

ROUTE_ACTIONS = {
    "task": {"view", "change", "export"},
    "team": {"view", "change", "export"},
    "overview": {"view"},
    "own": {"view", "export"},
    "referral": {"view"},
}

ORACLE = {
    "klantregisseur": {"ceiling": ALL, "routes": {"task", "team", "referral"}},
    "coach": {"ceiling": ALL, "routes": {"team", "referral"}},
    "teamleider": {"ceiling": ALL, "routes": {"team", "overview", "referral"}},
    "docent": {
        "ceiling": {"identiteit", "contact", "traject", "metingen", "werk_opleiding"},
        "routes": {"team", "referral"},
    },
    "jobcoach": {
        "ceiling": {"identiteit", "contact", "traject", "werk_opleiding", "notities"},
        "routes": {"team", "referral"},
    },
    "intermediair": {"ceiling": {"identiteit", "contact", "traject", "plan"}, "routes": {"team", "referral"}},
    "deelnemer": {"ceiling": ALL, "routes": {"own"}},
    "werkgever": {"ceiling": set(), "routes": set()},  # placements come later
    "projectleider": {"ceiling": set(), "routes": set()},  # aggregates only
    "onderzoeker": {"ceiling": set(), "routes": set()},  # pseudonymised extracts only
    "beheerder": {"ceiling": set(), "routes": set()},  # configuration, no case content
    "privacyfunctionaris": {"ceiling": set(), "routes": set()},  # the audit log only
    "archivaris": {"ceiling": set(), "routes": set()},  # destruction lists only
    "gebruikersbeheerder": {"ceiling": set(), "routes": set()},  # accounts and roles, with a second pair of eyes
}


def expected(
    role: str,
    *,
    own_organisation: bool,
    involved: bool,
    consent: str,
    category: str,
    action: str,
    referred: bool = False,
) -> bool:
    """The oracle's answer for one case. `involved` means on the team (for a participant: their own
    file); `consent` is none, granted or withdrawn for the user's organisation and this category;
    `referred` means an open referral to the user's organisation covered by consent."""
    rules = ORACLE[role]
    if category not in rules["ceiling"] or action == "delete":
        return False
    routes = rules["routes"]
    if referred and "referral" in routes and category in BASELINE and action in ROUTE_ACTIONS["referral"]:
        return True
    if "own" in routes:
        return involved and action in ROUTE_ACTIONS["own"]
    if "task" in routes and own_organisation and action in ROUTE_ACTIONS["task"]:
        return True
    shared = category in BASELINE or consent == "granted"
    if "team" in routes and involved and shared and action in ROUTE_ACTIONS["team"]:
        return True
    return "overview" in routes and own_organisation and category in BASELINE and action in ROUTE_ACTIONS["overview"]


#: Break the glass: only these roles, only viewing, never health or justice.
BREAK_GLASS = {"roles": {"klantregisseur", "coach", "teamleider"}, "closed": {"gezondheid", "justitie"}}


def expected_break_glass(role: str, *, category: str, action: str) -> bool:
    """The answer for a user with an open emergency access and no other route to the file."""
    return (
        role in BREAK_GLASS["roles"]
        and action == "view"
        and category not in BREAK_GLASS["closed"]
        and category in ORACLE[role]["ceiling"]
    )


def expected_written_request(role: str, *, category: str, action: str) -> bool:
    """The answer for the privacy officer producing the complete export of a written request."""
    return role == "privacyfunctionaris" and action == "export" and category in ALL


#: Automatic grants ("access that follows the work"): while someone is on a participant's team today
#: in a team role, and the participant is enrolled (open) in a programme for which the participant's
#: municipality approved that role's data needs, the member's organisation receives those
#: categories. Never health or justice; never a category the municipality itself withdrew from that
#: organisation for this participant.
NEVER_AUTOMATIC = frozenset({"gezondheid", "justitie"})


def expected_work_grants(
    approved_needs: set[tuple[str, str]], running_team_roles: set[str], withdrawn_by_municipality: set[str]
) -> set[str]:
    """The categories an organisation receives automatically for one participant: `approved_needs`
    holds (team role, category) of the participant's open programmes, `running_team_roles` the
    team roles its people hold on the team today."""
    return {
        category
        for role, category in approved_needs
        if role in running_team_roles and category not in NEVER_AUTOMATIC and category not in withdrawn_by_municipality
    }
