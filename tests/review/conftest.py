import pytest

from portplanner.models import Membership, Role


@pytest.fixture
def team(cluster, django_user_model):
    """erin (editor), rita (reviewer) and otto (owner) of the cluster prod."""
    people = {}
    for name, role in (("erin", Role.EDITOR), ("rita", Role.REVIEWER), ("otto", Role.OWNER)):
        people[name] = django_user_model.objects.create_user(name, email=f"{name}@example.com")
        Membership.objects.create(cluster=cluster, user=people[name], role=role)
    return people
