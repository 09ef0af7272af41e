"""The registry of every route and API operation, and what it does with participant data (B1, H3).

`tests/test_endpoint_registry.py` fails when a route or operation is missing here, so a new
endpoint cannot arrive without someone deciding whether it touches personal data, and if so, the
registry's tests check that it is audited and that a processing restriction stops its writes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    """One way to call a route: `read` or `write` of participant data."""

    name: str  # URL name (namespace:name)
    method: str
    kind: str  # "read" | "write"
    #: a write that is itself the controller's answer to a data-subject request stays possible under
    #: a restriction (lifting it, erasing, exporting, withdrawing a grant)
    allowed_under_restriction: bool = False


#: routes that never show or change a participant's data (auth, language, reference data, docs)
NOT_PERSONAL = {
    "home",
    "administrator_start",
    "login",
    "logout",
    "second_factor",
    "second_factor_setup",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    "set_language",
    "api-schema",
    "api-docs",
    "api-organisations",
    "api-programmes",
    "api-programme",
    "api-reasons",  # the reason catalogue: codes, words and categories, no participant data
    "programmes:list",
    # programme data needs: configuration (role x category x law), no participant data; every
    # proposal and decision is in the audit chain (test_data_needs)
    "programmes:data_needs",
    "programmes:data_need_decide",
    "programmes:data_need_withdraw",
    # runs the engine; shows only counts
    "signalering:refresh",
    # destruction lists hold opaque file ids, programme codes and dates, never names or BSNs
    "retention:destruction_lists",
    "retention:destruction_list",
    # user administration and personal API tokens: staff accounts, never participant data (every
    # change of who may do what is in the audit chain with before and after: test_user_administration)
    "organisations:accounts",
    "organisations:account",
    "organisations:account_create",
    "organisations:change_decide",
    "organisations:region_change",
    "organisations:activate",
    "organisations:api_tokens",
    "organisations:api_token_revoke",
    # reports: counts only (a drill-down to names is a personal read, below); every report shown,
    # adopted or exported writes its own audit row (monitoring/tests/test_report_views.py)
    "monitoring:report",
    "monitoring:report_export",
    "monitoring:report_chart",
    "monitoring:report_adopt",
    "monitoring:adopted_list",
    "monitoring:adopted",
    "api-report",
    # the import page: its one audit row names every participant an import touched, written by the
    # service in the import's own transaction (imports/tests/test_views.py); without files it shows
    # a form and reads nothing
    "imports:upload",
    # studies: the request, the decision and the codebook hold no participant data; the extract is
    # pseudonymised and writes one audit row naming every participant in it (research/tests)
    "research:list",
    "research:create",
    "research:detail",
    "research:decide",
    "research:extract",
    # running the service: health (what works, by kind) and metrics (figures by route name); neither
    # holds personal data, which the marker sweep checks on their content after its whole sweep
    "operations:health",
    "operations:metrics",
}

PERSONAL = [
    Endpoint("monitoring:report_people", "get", "read"),
    Endpoint("api-report-drilldown", "get", "read"),
    Endpoint("participants:own_file", "get", "read"),
    Endpoint("participants:own_plan_agree", "post", "write"),
    Endpoint("participants:detail", "get", "read"),
    Endpoint("participants:edit", "get", "read"),
    Endpoint("participants:edit", "post", "write"),
    Endpoint("participants:household_add", "get", "read"),
    Endpoint("participants:household_add", "post", "write"),
    Endpoint("participants:school_add", "get", "read"),
    Endpoint("participants:school_add", "post", "write"),
    Endpoint("participants:sharing_add", "get", "read"),
    Endpoint("participants:sharing_add", "post", "write"),
    Endpoint("participants:sharing_withdraw", "post", "write", allowed_under_restriction=True),
    Endpoint("participants:audit_trail", "get", "read"),
    Endpoint("participants:export", "get", "read"),
    Endpoint("participants:export_pdf", "get", "read"),
    Endpoint("participants:restriction", "get", "read"),
    Endpoint("participants:restriction", "post", "write", allowed_under_restriction=True),
    Endpoint("participants:search", "get", "read"),
    Endpoint("participants:search", "post", "read"),
    Endpoint("participants:create", "post", "write"),
    Endpoint("participants:break_glass", "post", "read"),
    Endpoint("participants:break_glass_review", "get", "read"),
    Endpoint("participants:written_access_request", "post", "read"),
    Endpoint("enrollments:caseload", "get", "read"),
    Endpoint("enrollments:caseload_reassign", "get", "read"),
    # a whole caseload at once: restricted files in it are skipped by the service (tested there)
    Endpoint("enrollments:caseload_reassign", "post", "write", allowed_under_restriction=True),
    Endpoint("enrollments:create", "get", "read"),
    Endpoint("enrollments:create", "post", "write"),
    Endpoint("enrollments:team_add", "get", "read"),
    Endpoint("enrollments:team_add", "post", "write"),
    Endpoint("enrollments:team_end", "post", "write"),
    Endpoint("enrollments:director_handover", "get", "read"),
    Endpoint("enrollments:director_handover", "post", "write"),
    Endpoint("enrollments:card", "get", "read"),
    Endpoint("enrollments:event_create", "get", "read"),
    Endpoint("enrollments:event_create", "post", "write"),
    Endpoint("enrollments:correct", "post", "write"),
    Endpoint("enrollments:tags", "get", "read"),
    Endpoint("enrollments:tags", "post", "write"),
    Endpoint("programmes:board", "get", "read"),
    Endpoint("measurements:overview", "get", "read"),
    Endpoint("plans:detail", "get", "read"),
    Endpoint("contacts:overview", "get", "read"),
    Endpoint("signalering:dashboard", "get", "read"),
    Endpoint("signalering:handle", "post", "write"),
    Endpoint("contacts:create", "get", "read"),
    Endpoint("contacts:create", "post", "write"),
    Endpoint("plans:edit", "get", "read"),
    Endpoint("plans:edit", "post", "write"),
    Endpoint("plans:pdf", "get", "read"),
    Endpoint("plans:household", "get", "read"),
    Endpoint("plans:household_pdf", "get", "read"),
    Endpoint("referrals:create", "get", "read"),
    Endpoint("referrals:create", "post", "write"),
    Endpoint("referrals:inbox", "get", "read"),
    Endpoint("referrals:decide", "get", "read"),
    Endpoint("referrals:decide", "post", "write"),
    Endpoint("referrals:withdraw", "post", "write"),
    Endpoint("plans:household_edit", "get", "read"),
    Endpoint("plans:household_edit", "post", "write"),
    Endpoint("measurements:create", "get", "read"),
    Endpoint("measurements:create", "post", "write"),
    Endpoint("measurements:intake", "get", "read"),
    Endpoint("measurements:intake", "post", "write"),
    Endpoint("measurements:screening_create", "get", "read"),
    Endpoint("measurements:screening_create", "post", "write"),
    Endpoint("retention:erasure", "get", "read"),
    Endpoint("retention:erasure", "post", "write", allowed_under_restriction=True),
    Endpoint("api-participants", "get", "read"),
    Endpoint("api-participant-search", "post", "read"),
    Endpoint("api-participants", "post", "write"),
    Endpoint("api-participant", "get", "read"),
    Endpoint("api-participant", "patch", "write"),
    Endpoint("api-enrollments", "get", "read"),
    Endpoint("api-enrollments", "post", "write"),
    Endpoint("api-enrollment", "get", "read"),
    Endpoint("api-enrollment-events", "get", "read"),
    Endpoint("api-enrollment-events", "post", "write"),
    Endpoint("api-participant-measurements", "get", "read"),
    Endpoint("api-participant-contacts", "get", "read"),
    Endpoint("api-participant-contacts", "post", "write"),
    Endpoint("api-participant-team", "get", "read"),
    Endpoint("api-participant-team", "post", "write"),
    Endpoint("api-referrals", "get", "read"),
    Endpoint("api-participant-referrals", "post", "write"),
    Endpoint("api-referral-answer", "post", "write"),
    Endpoint("api-participant-plan", "get", "read"),
    Endpoint("api-participant-plan", "put", "write"),
    Endpoint("api-participant-measurements", "post", "write"),
]
