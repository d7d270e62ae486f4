import pytest

from tests import factories
from tests.statements import factories as sf


@pytest.fixture
def statement(db):
    """An open statement led by a fresh organisation."""
    return sf.open_statement()


@pytest.fixture
def signer(db):
    """A signatory of a verified organisation: (person, organisation)."""
    return sf.signatory(factories.organisation(country="SE"))
