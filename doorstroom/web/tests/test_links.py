"""`{% link_to %}` gives exactly the address `{% url %}` gives, and nothing but a UUID goes in."""

import uuid

from django.template import engines
from django.urls import reverse

import pytest


@pytest.mark.parametrize("view_name", ["participants:detail", "contacts:create", "contacts:overview"])
def test_the_address_is_the_one_reverse_gives_for_every_id(view_name):
    template = engines["django"].from_string("{% load links %}{% link_to view_name id %}")
    for public_id in [uuid.uuid4() for _ in range(5)] + [str(uuid.uuid4()).upper()]:
        assert template.render({"view_name": view_name, "id": public_id}) == reverse(
            view_name, args=[uuid.UUID(str(public_id))]
        )


def test_anything_but_a_uuid_is_refused():
    template = engines["django"].from_string("{% load links %}{% link_to 'participants:detail' id %}")
    for wrong in ["../../beheer/", "123", ""]:
        with pytest.raises(ValueError):
            template.render({"id": wrong})
