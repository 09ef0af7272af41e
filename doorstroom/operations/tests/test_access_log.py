"""The access log keeps the shape of an address, not the ids in it."""

import pytest

from doorstroom.operations.access_log import path_shape


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/deelnemers/3f2a1b2c-1111-2222-3333-444455556666/", "/deelnemers/:id/"),
        ("/deelnemers/3f2a1b2c111122223333444455556666/dossier/", "/deelnemers/:id/dossier/"),
        ("/api/v1/zoeken/123456782/", "/api/v1/zoeken/[nummer verwijderd]/"),
        ("/rapportages/2026/11/", "/rapportages/:n/:n/"),
        ("/inloggen/", "/inloggen/"),
    ],
)
def test_ids_leave_the_path(path, shape):
    assert path_shape(path) == shape
