"""``/services/...``: OAuth and SOAP logins, the REST data API and the Connect REST API.

Every path is served with and without a trailing slash: simple-salesforce and
jsforce differ.
"""

from django.urls import re_path

from api.views import auth, connect, data, query

app_name = "api"

V = r"^data/v(?P<version>\d+\.\d+)"
S = r"/?$"
ID = r"(?P<{}>[a-zA-Z0-9]{{15,18}})"

urlpatterns = [
    re_path(r"^oauth2/token/?$", auth.oauth_token, name="oauth_token"),
    re_path(r"^oauth2/revoke/?$", auth.oauth_revoke, name="oauth_revoke"),
    re_path(r"^Soap/u/(?P<version>\d+\.\d+)(?:/[a-zA-Z0-9]+)?/?$", auth.soap_login, name="soap"),
    re_path(r"^data/?$", data.versions, name="versions"),
    re_path(V + S, data.version_root, name="version"),
    re_path(V + r"/limits" + S, data.limits, name="limits"),
    re_path(V + r"/sobjects" + S, data.describe_global, name="describe_global"),
    re_path(V + r"/sobjects/(?P<sobject>\w+)/describe" + S, data.describe, name="describe"),
    re_path(V + r"/sobjects/(?P<sobject>\w+)" + S, data.sobject_root, name="sobject"),
    re_path(
        V + r"/sobjects/(?P<sobject>\w+)/" + ID.format("record_id") + S,
        data.sobject_row,
        name="sobject_row",
    ),
    re_path(V + r"/composite/sobjects" + S, data.composite_sobjects, name="composite_sobjects"),
    re_path(V + r"/chatter/groups" + S, connect.groups, name="groups"),
    re_path(
        V + r"/chatter/groups/(?:group/)?" + ID.format("group_id") + r"/invite" + S,
        connect.group_invite,
        name="group_invite",
    ),
    re_path(
        V + r"/chatter/groups/" + ID.format("group_id") + r"/members" + S,
        connect.group_members,
        name="group_members",
    ),
    re_path(
        V + r"/chatter/groups/" + ID.format("group_id") + S, connect.group_detail, name="group"
    ),
    re_path(
        V + r"/chatter/group-memberships/" + ID.format("membership_id") + S,
        connect.group_membership,
        name="group_membership",
    ),
    re_path(
        V + r"/chatter/feeds/record/" + ID.format("record_id") + r"/feed-elements" + S,
        connect.record_feed,
        name="record_feed",
    ),
    re_path(V + r"/chatter/feed-elements" + S, connect.feed_elements, name="feed_elements"),
]

# SOQL: api.views.query.
urlpatterns += [
    re_path(V + r"/query" + S, query.query, name="query"),
    re_path(V + r"/queryAll" + S, query.query_all, name="query_all"),
    re_path(
        V + r"/query/(?P<locator>[A-Za-z0-9_.:\-]+-[0-9]+)" + S,
        query.query_more,
        name="query_more",
    ),
    re_path(V + r"/search" + S, query.search, name="search"),
]
