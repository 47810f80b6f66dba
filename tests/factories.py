"""factory-boy factories for the whole suite."""

from functools import cache

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import PermissionSet, PermissionSetAssignment, Profile, User
from accounts.permissions import Perm
from chatterorg.models import Licence
from groups.models import Comment, Group, Membership, Post
from invitations.models import Invitation

PASSWORD = "Correct-Horse-Battery-9"


@cache
def _password_hash() -> str:
    # Hash once: Argon2 is deliberately slow, and most tests only need a valid hash.
    return make_password(PASSWORD)


def profile(name: str) -> Profile:
    return Profile.objects.get(name=name)


class UserFactory(factory.django.DjangoModelFactory):
    """An active internal Standard User; the licence count is kept right."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    username = factory.Sequence(lambda n: f"user{n}@acme.example")
    email = factory.LazyAttribute(lambda u: u.username)
    company_name = "Acme Corporation"
    profile = factory.LazyFunction(lambda: profile(Profile.STANDARD_USER))
    user_type = User.UserType.STANDARD
    password = factory.LazyFunction(_password_hash)

    @factory.post_generation
    def count_licence(obj, create, extracted, **kwargs):
        if create and obj.is_active:
            from django.db.models import F

            Licence.objects.filter(pk=obj.profile.licence_id).update(used=F("used") + 1)

    @factory.post_generation
    def perms(obj, create, extracted, **kwargs):
        """``UserFactory(perms=[Perm.INVITE_CUSTOMERS])`` assigns a permission set."""
        if create and extracted:
            permission_set = PermissionSet.objects.create(
                label=f"Set for {obj.username}",
                api_name=f"Set_{obj.pk}",
                permissions=[Perm(p).value for p in extracted],
            )
            PermissionSetAssignment.objects.create(user=obj, permission_set=permission_set)


class AdminFactory(UserFactory):
    profile = factory.LazyFunction(lambda: profile(Profile.SYSTEM_ADMINISTRATOR))


class CustomerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"customer{n}@guest.acme.example")
    email = factory.Sequence(lambda n: f"customer{n}@globex.example")
    company_name = "Globex"
    profile = factory.LazyFunction(lambda: profile(Profile.CHATTER_EXTERNAL_USER))
    user_type = User.UserType.CHATTER_GUEST


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Group {n}")
    description = "A group for testing."
    access_type = Group.AccessType.PUBLIC


class PrivateCustomerGroupFactory(GroupFactory):
    access_type = Group.AccessType.PRIVATE
    allow_customers = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    is_customer = factory.LazyAttribute(lambda m: m.user.is_customer)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    group = factory.SubFactory(GroupFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Faker("sentence")


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Faker("sentence")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    group = factory.SubFactory(PrivateCustomerGroupFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@globex.example")
    inviter = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(
        lambda: __import__("django.utils.timezone", fromlist=["now"]).now()
        + __import__("datetime").timedelta(days=60)
    )
