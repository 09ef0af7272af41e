"""The programme data-needs page: the functional administrator proposes, the municipality's
director or privacy officer decides; every step is in the audit chain with before and after."""

from django.urls import reverse

import pytest

from doorstroom.access.models import AuditEvent
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.programmes.models import ProgrammeDataNeed
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    return {
        "programme": ProgrammeFactory(),
        "admin": UserFactory(role=Role.ADMINISTRATOR, organisation=municipality),
        "privacy": UserFactory(role=Role.PRIVACY_OFFICER, organisation=municipality),
        "coach": UserFactory(role=Role.COACH, organisation=municipality),
    }


def propose(client, world, **overrides):
    client.force_login(world["admin"])
    form = {
        "team_role": "coach",
        "categories": ["plan", "notities"],
        "statute": "participatiewet",
        "reason": "De coach werkt aan het plan en legt de contacten vast.",
        **overrides,
    }
    return client.post(reverse("programmes:data_needs", args=[world["programme"].code]), form)


def test_the_administrator_proposes_several_categories_in_one_step(client, world):
    response = propose(client, world)
    assert response.status_code == 302
    needs = ProgrammeDataNeed.objects.order_by("category")
    assert [(n.category, n.state) for n in needs] == [("notities", "voorgesteld"), ("plan", "voorgesteld")]
    row = AuditEvent.objects.filter(object_type="data_need").get()
    assert row.detail["wat"] == "voorgesteld" and row.actor_username == world["admin"].username


def test_health_is_not_even_offered(client, world):
    client.force_login(world["admin"])
    page = client.get(reverse("programmes:data_needs", args=[world["programme"].code])).content.decode()
    assert 'value="plan"' in page and 'value="gezondheid"' not in page and 'value="justitie"' not in page
    refused = propose(client, world, categories=["gezondheid"])
    assert refused.status_code == 400 and not ProgrammeDataNeed.objects.exists()


def test_the_privacy_officer_approves_and_it_is_audited(client, world):
    propose(client, world, categories=["plan"])
    need = ProgrammeDataNeed.objects.get()
    client.force_login(world["privacy"])
    url = reverse("programmes:data_need_decide", args=[world["programme"].code, need.pk])
    client.post(url, {"decision": "goedkeuren", "note": ""})
    need.refresh_from_db()
    assert (need.state, need.decided_by) == ("goedgekeurd", world["privacy"])
    row = AuditEvent.objects.filter(object_type="data_need").order_by("-id").first()
    assert row.detail["voor"]["status"] == "voorgesteld" and row.detail["na"]["status"] == "goedgekeurd"


def test_others_can_neither_propose_nor_decide(client, world):
    client.force_login(world["coach"])
    assert propose(client, world).status_code == 302  # as the administrator, via the helper
    need = ProgrammeDataNeed.objects.first()
    client.force_login(world["coach"])
    code = world["programme"].code
    assert client.post(reverse("programmes:data_needs", args=[code]), {"team_role": "coach"}).status_code == 403
    decided = client.post(reverse("programmes:data_need_decide", args=[code, need.pk]), {"decision": "goedkeuren"})
    assert decided.status_code == 403
    client.force_login(world["admin"])  # the proposer cannot approve their own proposal either
    client.post(reverse("programmes:data_need_decide", args=[code, need.pk]), {"decision": "goedkeuren"})
    need.refresh_from_db()
    assert need.state == "voorgesteld"
    outsider = UserFactory(role=Role.PRIVACY_OFFICER, organisation=OrganisationFactory(municipality=True))
    client.force_login(outsider)
    assert client.post(reverse("programmes:data_need_decide", args=[code, need.pk]), {}).status_code == 404
