"""The SOQL compiler against the database: every construct, visibility, dates, query counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.ids import sf_id
from api.soql import SoqlError, soql_compile
from groups.models import Comment, Group, Membership, Post
from invitations.models import Invitation
from tests.factories import (
    CommentFactory,
    GroupFactory,
    InvitationFactory,
    MembershipFactory,
    PostFactory,
    UserFactory,
)


def url(object_name: str, record_id: str | None) -> str:
    return f"/services/data/v59.0/sobjects/{object_name}/{record_id}"


def rows(viewer, soql: str, start: int = 0, size: int = 2000) -> list[dict]:
    return soql_compile(soql, viewer=viewer).page(start, size, url)


def names(viewer, soql: str) -> list[str]:
    return [r["Name"] for r in rows(viewer, soql)]


def error(viewer, soql: str) -> SoqlError:
    with pytest.raises(SoqlError) as raised:
        rows(viewer, soql)
    return raised.value


_ERROR_TABLE = """
INVALID_FIELD | No such column 'Nmae' on entity 'User'. | SELECT Nmae FROM User
INVALID_FIELD | Didn't understand relationship 'Ownr' | SELECT Ownr.Name FROM CollaborationGroup
INVALID_TYPE | sObject type 'Foo' is not supported. | SELECT Id FROM Foo
INVALID_TYPE | Didn't understand relationship 'Nope' | SELECT (SELECT Id FROM Nope) FROM CollaborationGroup
INVALID_FIELD | must be of type boolean and should not be enclosed in quotes | SELECT Id FROM CollaborationGroup WHERE CanHaveGuests = 'true'
INVALID_FIELD | must be of type string and should be enclosed in quotes | SELECT Id FROM CollaborationGroup WHERE Name = 5
INVALID_QUERY_FILTER_OPERATOR | invalid ID field: abc | SELECT Id FROM CollaborationGroup WHERE Id = 'abc'
INVALID_QUERY_FILTER_OPERATOR | invalid operator on boolean field | SELECT Id FROM CollaborationGroup WHERE CanHaveGuests LIKE 'x'
INVALID_QUERY_FILTER_OPERATOR | only valid on multipicklist field | SELECT Id FROM CollaborationGroup WHERE Name INCLUDES ('a')
MALFORMED_QUERY | Field must be grouped or aggregated: Name | SELECT Name, COUNT(Id) FROM CollaborationGroup
MALFORMED_QUERY | duplicate field selected: Name | SELECT Name, Name FROM CollaborationGroup
NUMBER_OUTSIDE_VALID_RANGE | Maximum SOQL offset allowed is 2000 | SELECT Id FROM User OFFSET 2001
MALFORMED_QUERY | unexpected token: 'OR' | SELECT Id FROM User WHERE Name = 'a' AND Name = 'b' OR Name = 'c'
MALFORMED_QUERY | unexpected token: 'HAVING' | SELECT Id FROM User HAVING COUNT(Id) > 1
MALFORMED_QUERY | unexpected token: 'YESTERDAYS' | SELECT Id FROM User WHERE CreatedDate > YESTERDAYS
MALFORMED_QUERY | unexpected token: '<EOF>' | SELECT Id FROM User WHERE
MALFORMED_QUERY | no viable alternative at character '"' | SELECT Id FROM User WHERE Name = "x"
MALFORMED_QUERY | Illegal character sequence '\\q' in string literal. | SELECT Id FROM User WHERE Name = 'a\\q'
INVALID_FIELD | must be of type dateTime | SELECT Id FROM User WHERE CreatedDate > 2026-01-01
INVALID_FIELD | does not support aggregate operator SUM | SELECT SUM(Name) FROM User
INVALID_FIELD | field 'PermissionsApiEnabled' can not be filtered | SELECT Id FROM Profile WHERE PermissionsApiEnabled = true
"""  # noqa: E501
# (errorCode, a part of Salesforce's message, the query)
ERRORS = [tuple(line.split(" | ")) for line in _ERROR_TABLE.strip().splitlines()]


@pytest.fixture
def groups(db, user):
    """Three Public groups with ``user`` as owner of the first two."""
    made = [
        GroupFactory(name="Alpha", description="first"),
        GroupFactory(name="beta", description=""),
        GroupFactory(name="Gamma_1", access_type=Group.AccessType.PRIVATE, description="x%y"),
    ]
    MembershipFactory(group=made[0], user=user, role=Membership.Role.OWNER)
    MembershipFactory(group=made[1], user=user, role=Membership.Role.OWNER)
    return made


@pytest.mark.django_db
class TestWhere:
    @pytest.mark.parametrize(
        ("where", "expected"),
        [
            ("Name = 'alpha'", ["Alpha"]),  # = on text is case-insensitive
            ("Name != 'Alpha'", ["beta", "Gamma_1"]),
            ("Name <> 'Alpha'", ["beta", "Gamma_1"]),
            ("Name LIKE 'a%'", ["Alpha"]),
            ("Name LIKE '%A'", ["Alpha", "beta", "Gamma_1"][:2]),
            ("Name LIKE '_eta'", ["beta"]),
            ("Name LIKE 'gamma\\_%'", ["Gamma_1"]),
            ("Description LIKE '%\\%%'", ["Gamma_1"]),
            ("Name IN ('ALPHA', 'beta')", ["Alpha", "beta"]),
            ("Name NOT IN ('Alpha')", ["beta", "Gamma_1"]),
            ("Description = null", ["beta"]),
            ("Description != null", ["Alpha", "Gamma_1"]),
            ("CollaborationType = 'Private' OR Name = 'beta'", ["beta", "Gamma_1"]),
            ("(Name = 'Alpha' OR Name = 'beta') AND IsArchived = false", ["Alpha", "beta"]),
            ("NOT Name = 'Alpha'", ["beta", "Gamma_1"]),
            ("NOT (Name = 'Alpha' OR Name = 'beta')", ["Gamma_1"]),
            ("MemberCount >= 1", ["Alpha", "beta"]),
            ("MemberCount < 1", ["Gamma_1"]),
            ("Owner.Name != null", ["Alpha", "beta"]),
            ("Name > 'b'", ["beta", "Gamma_1"]),
        ],
    )
    def test_filters(self, groups, user, where, expected):
        soql = f"SELECT Name FROM CollaborationGroup WHERE {where} ORDER BY Name"
        assert names(user, soql) == expected

    def test_id_equals_its_15_and_18_character_forms(self, groups, user):
        group_id = sf_id("CollaborationGroup", groups[1].pk)
        for written in (group_id, group_id[:15]):
            soql = f"SELECT Name FROM CollaborationGroup WHERE Id = '{written}'"
            assert names(user, soql) == ["beta"]

    def test_an_id_of_another_object_matches_nothing(self, groups, user):
        soql = f"SELECT Name FROM CollaborationGroup WHERE Id = '{sf_id('User', user.pk)}'"
        assert names(user, soql) == []

    def test_semi_join_and_anti_join(self, groups, user):
        other = UserFactory(first_name="Otto", last_name="Other")
        MembershipFactory(group=groups[1], user=other)
        group_id = sf_id("CollaborationGroup", groups[1].pk)
        inner = (
            "SELECT MemberId FROM CollaborationGroupMember "
            f"WHERE CollaborationGroupId = '{group_id}'"
        )
        members = set(names(user, f"SELECT Name FROM User WHERE Id IN ({inner})"))
        assert members == {"Otto Other", user.name}
        assert "Otto Other" not in names(user, f"SELECT Name FROM User WHERE Id NOT IN ({inner})")
        # Gamma_1 is Private and the viewer no member: its members are not for them to see.
        hidden = sf_id("CollaborationGroup", groups[2].pk)
        MembershipFactory(group=groups[2], user=UserFactory(first_name="Ines", last_name="Hidden"))
        inner = (
            f"SELECT MemberId FROM CollaborationGroupMember WHERE CollaborationGroupId = '{hidden}'"
        )
        assert names(user, f"SELECT Name FROM User WHERE Id IN ({inner})") == []

    def test_an_internal_user_sees_members_of_public_groups_and_of_their_own(self, db, user):
        shown, hidden = [], []
        for access in Group.AccessType:
            for joined in (True, False):
                group = GroupFactory(access_type=access)
                if joined:
                    MembershipFactory(group=group, user=user)
                member = MembershipFactory(group=group)
                visible = joined or access == Group.AccessType.PUBLIC
                (shown if visible else hidden).append(sf_id("User", member.user_id))
        found = {r["MemberId"] for r in rows(user, "SELECT MemberId FROM CollaborationGroupMember")}
        assert set(shown) <= found and not set(hidden) & found

    def test_the_feed_shows_public_groups_and_ones_own_to_an_internal_user(self, db, user):
        shown, hidden = set(), set()
        for access in Group.AccessType:
            for joined in (True, False):
                group = GroupFactory(access_type=access)
                if joined:
                    MembershipFactory(group=group, user=user)
                post = PostFactory(group=group)
                comment = CommentFactory(post=post)
                ids = {sf_id("FeedItem", post.pk), sf_id("FeedComment", comment.pk)}
                (shown if joined or access == Group.AccessType.PUBLIC else hidden).update(ids)
        found = {r["Id"] for r in rows(user, "SELECT Id FROM FeedItem")} | {
            r["Id"] for r in rows(user, "SELECT Id FROM FeedComment")
        }
        assert shown <= found and not hidden & found

    def test_a_customer_sees_the_feed_of_their_groups_only(self, db, customer_group, customer):
        mine = PostFactory(group=customer_group)
        other = PostFactory(group=GroupFactory(access_type=Group.AccessType.PUBLIC))
        CommentFactory(post=mine)
        CommentFactory(post=other)
        assert [r["Id"] for r in rows(customer, "SELECT Id FROM FeedItem")] == [
            sf_id("FeedItem", mine.pk)
        ]
        assert {r["FeedItemId"] for r in rows(customer, "SELECT FeedItemId FROM FeedComment")} == {
            sf_id("FeedItem", mine.pk)
        }

    def test_semi_join_sees_only_what_the_viewer_may(self, db, customer_group, customer):
        hidden = GroupFactory(access_type=Group.AccessType.PRIVATE)
        stranger = UserFactory()
        MembershipFactory(group=hidden, user=stranger)
        soql = (
            "SELECT Id FROM CollaborationGroup WHERE Id IN "
            "(SELECT CollaborationGroupId FROM CollaborationGroupMember)"
        )
        assert [r["Id"] for r in rows(customer, soql)] == [
            sf_id("CollaborationGroup", customer_group.pk)
        ]


@pytest.mark.django_db
class TestSelect:
    def test_child_subquery_nests_each_groups_members(self, groups, user):
        extra = MembershipFactory(group=groups[0])
        soql = (
            "SELECT Name, (SELECT MemberId, Member.Name FROM GroupMembers ORDER BY CreatedDate) "
            "FROM CollaborationGroup ORDER BY Name"
        )
        alpha, _beta, gamma = rows(user, soql)
        assert [m["MemberId"] for m in alpha["GroupMembers"]["records"]] == [
            sf_id("User", user.pk),
            sf_id("User", extra.user_id),
        ]
        assert alpha["GroupMembers"]["totalSize"] == 2
        assert alpha["GroupMembers"]["records"][1]["Member"]["Name"] == extra.user.name
        assert gamma["GroupMembers"] is None

    def test_aggregates_with_group_by_and_aliases(self, groups, user):
        soql = (
            "SELECT CollaborationType, COUNT(Id) total, MAX(Name) FROM CollaborationGroup "
            "GROUP BY CollaborationType ORDER BY CollaborationType"
        )
        assert rows(user, soql) == [
            {
                "attributes": {"type": "AggregateResult"},
                "CollaborationType": "Private",
                "total": 1,
                "expr0": "Gamma_1",
            },
            {
                "attributes": {"type": "AggregateResult"},
                "CollaborationType": "Public",
                "total": 2,
                "expr0": "beta",
            },
        ]

    def test_aggregates_without_group_by_are_one_row(self, groups, user):
        [row] = rows(
            user,
            "SELECT COUNT(Id), COUNT_DISTINCT(CollaborationType), MIN(CreatedDate) "
            "FROM CollaborationGroup",
        )
        assert row["expr0"] == 3 and row["expr1"] == 2
        assert row["expr2"].endswith("+0000")

    def test_count_total_respects_the_filter(self, groups, user):
        plan = soql_compile(
            "SELECT COUNT() FROM CollaborationGroup WHERE Name LIKE '%a%'", viewer=user
        )
        assert plan.total() == 3 and plan.page(0, 2000, url) == []

    def test_order_by_several_fields_with_nulls_limit_and_offset(self, groups, user):
        soql = "SELECT Name FROM CollaborationGroup ORDER BY Owner.Name NULLS LAST, Name DESC"
        assert names(user, soql) == ["beta", "Alpha", "Gamma_1"]
        soql = "SELECT Name FROM CollaborationGroup ORDER BY Owner.Name DESC NULLS FIRST, Name"
        assert names(user, soql) == ["Gamma_1", "Alpha", "beta"]
        plan = soql_compile(
            "SELECT Name FROM CollaborationGroup ORDER BY Name LIMIT 2 OFFSET 1", viewer=user
        )
        assert [r["Name"] for r in plan.page(0, 2000, url)] == ["beta", "Gamma_1"]
        assert plan.total() == 2

    def test_field_names_and_keywords_are_case_insensitive(self, groups, user):
        records = rows(user, "select nAmE, owner.NAME from collaborationgroup where NAME = 'Alpha'")
        assert records[0]["Name"] == "Alpha" and records[0]["Owner"]["Name"] == user.name

    def test_feed_comments_through_their_post_and_group(self, groups, user):
        post = PostFactory(group=groups[0], author=user)
        CommentFactory(post=post, author=user, body="Nice")
        [row] = rows(
            user, "SELECT CommentBody, FeedItem.Body, Parent.Name, CreatedBy.Name FROM FeedComment"
        )
        assert row["CommentBody"] == "Nice" and row["Parent"]["Name"] == "Alpha"
        assert row["FeedItem"]["Body"] == post.body and row["CreatedBy"]["Name"] == user.name


@pytest.mark.django_db
class TestErrors:
    @pytest.mark.parametrize(("code", "text", "soql"), ERRORS)
    def test_errors_are_salesforces(self, user, code, text, soql):
        refused = error(user, soql)
        assert refused.code == code
        assert text in refused.message

    def test_malformed_query_names_row_and_column(self, user):
        refused = error(user, "SELECT Id\nFROM User\nWHERE Name = = 'x'")
        assert refused.message == (
            "\nWHERE Name = = 'x'\n             ^\nERROR at Row:3:Column:14\nunexpected token: '='"
        )

    def test_an_empty_query_is_malformed(self, user):
        assert "cannot be empty" in error(user, "  ").message

    def test_a_query_over_100000_characters_is_refused(self, user):
        soql = "SELECT Id FROM User WHERE Name IN (" + ",".join(["'x'"] * 30000) + ")"
        assert "100000" in error(user, soql).message


@pytest.mark.django_db
class TestDates:
    @time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=UTC), tick=False)
    @pytest.mark.parametrize(
        ("literal", "expected"),
        [
            ("TODAY", ["today"]),
            ("YESTERDAY", ["yesterday"]),
            ("LAST_N_DAYS:2", ["two_days_ago", "yesterday", "today"]),
            ("NEXT_N_DAYS:1", ["tomorrow"]),
            ("THIS_MONTH", ["two_days_ago", "yesterday", "today", "tomorrow"]),
            ("LAST_MONTH", ["last_month"]),
            ("THIS_YEAR", ["last_month", "two_days_ago", "yesterday", "today", "tomorrow"]),
        ],
    )
    def test_date_literals_span_whole_days(self, db, user, literal, expected):
        made = {
            "last_month": datetime(2026, 2, 20, 9, tzinfo=UTC),
            "two_days_ago": datetime(2026, 3, 13, 0, 0, tzinfo=UTC),
            "yesterday": datetime(2026, 3, 14, 23, 59, tzinfo=UTC),
            "today": datetime(2026, 3, 15, 0, 0, tzinfo=UTC),
            "tomorrow": datetime(2026, 3, 16, 8, tzinfo=UTC),
        }
        for label, when in made.items():
            GroupFactory(name=label)
            Group.objects.filter(name=label).update(created_at=when)
        soql = (
            f"SELECT Name FROM CollaborationGroup WHERE CreatedDate = {literal} "
            "ORDER BY CreatedDate"
        )
        assert names(user, soql) == expected

    @time_machine.travel(datetime(2026, 3, 15, 2, tzinfo=UTC), tick=False)
    def test_today_is_the_orgs_day_in_its_time_zone(self, db, user, settings):
        GroupFactory(name="late")
        Group.objects.filter(name="late").update(created_at=datetime(2026, 3, 14, 23, tzinfo=UTC))
        soql = "SELECT Name FROM CollaborationGroup WHERE CreatedDate = TODAY"
        assert names(user, soql) == []
        settings.TIME_ZONE = "America/New_York"  # 2026-03-14 22:00 there
        with timezone.override("America/New_York"):
            assert names(user, soql) == ["late"]
            assert (
                names(user, "SELECT Name FROM CollaborationGroup WHERE CreatedDate < TODAY") == []
            )

    def test_datetime_literals_with_offsets(self, db, user):
        GroupFactory(name="noon")
        Group.objects.filter(name="noon").update(created_at=datetime(2026, 1, 1, 12, tzinfo=UTC))
        assert names(
            user, "SELECT Name FROM CollaborationGroup WHERE CreatedDate >= 2026-01-01T12:00:00Z"
        ) == ["noon"]
        assert names(
            user,
            "SELECT Name FROM CollaborationGroup WHERE CreatedDate > 2026-01-01T13:00:00+02:00",
        ) == ["noon"]
        assert (
            names(
                user,
                "SELECT Name FROM CollaborationGroup WHERE CreatedDate > 2026-01-01T12:00:00.000Z",
            )
            == []
        )


@pytest.mark.django_db
class TestQueryCounts:
    def test_a_page_of_rows_with_relationships_runs_the_same_queries_for_10_and_200_rows(
        self, customer_group, django_assert_num_queries
    ):
        owner = customer_group.owner
        soql = (
            "SELECT Id, InvitedUserEmail, Status, SharedEntity.Name, SharedEntity.Owner.Name, "
            "Inviter.Name, Inviter.Profile.Name FROM CollaborationInvitation "
            "WHERE Status = 'Sent' ORDER BY CreatedDate DESC"
        )
        for count in (10, 200):
            Invitation.objects.all().delete()
            InvitationFactory.create_batch(count, group=customer_group, inviter=owner)
            plan = soql_compile(soql, viewer=owner)
            # 1. the page's rows, every relationship field joined (the owner a subquery)
            with django_assert_num_queries(1):
                records = plan.page(0, 2000, url)
            assert len(records) == count
            # 2. the total: one COUNT
            with django_assert_num_queries(1):
                assert plan.total() == count

    def test_a_child_subquery_is_one_more_query_whatever_the_parents(self, db, user):
        def page() -> int:
            plan = soql_compile(
                "SELECT Name, (SELECT Member.Name FROM GroupMembers) FROM CollaborationGroup",
                viewer=user,
            )
            with CaptureQueriesContext(connection) as captured:
                plan.page(0, 2000, url)
            return len(captured.captured_queries)

        for _ in range(3):
            MembershipFactory(group=GroupFactory())
        few = page()
        for _ in range(30):
            MembershipFactory(group=GroupFactory())
        # 1. the groups, 2. their members (one query for every group of the page)
        assert few == page() == 2

    def test_aggregates_are_one_query(self, groups, user, django_assert_num_queries):
        plan = soql_compile(
            "SELECT CollaborationType, COUNT(Id) FROM CollaborationGroup "
            "GROUP BY CollaborationType",
            viewer=user,
        )
        # 1. SELECT ... GROUP BY
        with django_assert_num_queries(1):
            plan.page(0, 2000, url)
            plan.total()


@pytest.mark.django_db
class TestOrderForIndexes:
    """ORDER BY compiles to an order an index can serve, with the same rows."""

    def order_sql(self, viewer, soql: str) -> str:
        plan = soql_compile(soql, viewer=viewer)
        sql, _ = plan.queryset.query.sql_with_params()
        return sql.rsplit("ORDER BY", 1)[1]

    def test_newest_first_on_a_not_null_column_matches_the_newest_index(self, customer_group):
        # invitation_newest_idx is (sent_at DESC, id DESC): NULLS LAST or an ascending
        # tie-break would make PostgreSQL sort every visible invitation for 200 of them.
        order = self.order_sql(
            customer_group.owner,
            "SELECT Id FROM CollaborationInvitation ORDER BY CreatedDate DESC LIMIT 200",
        )
        assert "NULLS" not in order
        assert order.strip().startswith('"invitations_invitation"."sent_at" DESC')
        assert order.strip().endswith('"invitations_invitation"."id" DESC')

    def test_a_column_that_may_be_null_keeps_salesforces_null_order(self, customer_group):
        # A parent's field may be NULL (no parent): SOQL puts NULLs last when descending.
        order = self.order_sql(
            customer_group.owner,
            "SELECT Id FROM CollaborationInvitation ORDER BY SharedEntity.Name DESC",
        )
        assert "NULLS LAST" in order

    def test_ties_come_in_one_order_page_after_page(self, customer_group):
        owner = customer_group.owner
        InvitationFactory.create_batch(30, group=customer_group, inviter=owner)
        Invitation.objects.update(sent_at=timezone.now())  # every row ties
        soql = "SELECT Id FROM CollaborationInvitation ORDER BY CreatedDate DESC"
        plan = soql_compile(soql, viewer=owner)
        ids = [r["Id"] for r in plan.page(0, 10, url) + plan.page(10, 20, url)]
        assert len(set(ids)) == 30
        assert ids == [r["Id"] for r in plan.page(0, 30, url)]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN output of PostgreSQL")
@pytest.mark.parametrize(
    ("sobject", "index"), [("FeedItem", "post_newest_idx"), ("FeedComment", "comment_newest_idx")]
)
def test_on_postgresql_the_newest_of_the_feed_are_read_off_an_index(db, user, sobject, index):
    # Many groups' posts, most of them visible: the newest 200 must not sort them all.
    groups = [GroupFactory() for _ in range(20)]
    posts = Post.objects.bulk_create(
        Post(group=groups[n % 20], author=user, body=f"Post {n}") for n in range(2000)
    )
    Comment.objects.bulk_create(Comment(post=p, author=user, body="Noted") for p in posts)
    plan = soql_compile(
        f"SELECT Id FROM {sobject} ORDER BY CreatedDate DESC LIMIT 200", viewer=user
    )
    sql, params = plan.queryset[:200].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE groups_post")
        cursor.execute("ANALYZE groups_comment")
        # A small table sorts cheaply: ask whether an index can give the order at all.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        explained = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Scan using {index}" in explained, explained


@pytest.mark.django_db
class TestLikeOnUserNames:
    """A LIKE on a user's name looks its literal up in search_name first (a trigram index on
    PostgreSQL); the rows are exactly the LIKE's."""

    PEOPLE = [
        ("Ada", "Lovelace", "countess@acme.example"),
        ("Alan", "Turing", "alan_t@acme.example"),
        ("", "Hopper", "grace@acme.example"),
        ("Édith", "Piaf", "edith%@acme.example"),
    ]
    PATTERNS = [
        "ada%", "%LACE", "%ov%", "a_a%", "%turing", "hopper", "%ppe%", "__an%", "%th p%",
        "%countess%", "alan\\_t%", "edith\\%%", "%@acme.example", "%a%", "%xyz%",
    ]  # fmt: skip

    @pytest.mark.parametrize("field", ["Name", "FirstName", "LastName", "Username"])
    @pytest.mark.parametrize("negated", [False, True])
    def test_the_rows_are_the_likes(self, user, field, negated):
        from tests.api.test_soql_properties import _like

        made = [
            UserFactory(first_name=first, last_name=last, username=username)
            for first, last, username in self.PEOPLE
        ]
        value = {
            "Name": lambda u: f"{u.first_name} {u.last_name}".strip(),
            "FirstName": lambda u: u.first_name,
            "LastName": lambda u: u.last_name,
            "Username": lambda u: u.username,
        }[field]
        ids = {sf_id("User", u.pk): u for u in made}
        for pattern in self.PATTERNS:
            condition = f"{field} LIKE '{pattern}'"
            soql = f"SELECT Id FROM User WHERE {'NOT ' if negated else ''}({condition})"
            found = {r["Id"] for r in rows(user, soql)} & set(ids)
            expected = {i for i, u in ids.items() if _like(value(u), pattern) != negated}
            assert found == expected, (soql, found, expected)

    def test_the_literal_is_looked_up_in_search_name(self, user):
        plan = soql_compile("SELECT Id FROM User WHERE Name LIKE 'Ada Love%'", viewer=user)
        sql, params = plan.queryset.query.sql_with_params()
        assert '"search_name"' in sql and "%Ada Love%" in params
