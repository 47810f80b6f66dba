"""Properties of SOQL: arbitrary text fails only with the parser's own error, and random
WHERE clauses select exactly the rows a plain Python evaluation of them selects."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.soql import SoqlError, parse, soql_compile
from groups.models import Group
from tests.factories import GroupFactory

KEYWORDS = ["SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "(", ")", ",", "=", "'"]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.lists(
            st.one_of(st.sampled_from(KEYWORDS), st.from_regex(r"[A-Za-z0-9_.:%']{1,8}")),
            max_size=30,
        ).map(" ".join),
    )
)
def test_arbitrary_text_raises_only_soql_error(text):
    try:
        parse(text)
    except SoqlError as error:
        assert error.code == "MALFORMED_QUERY"


# A small dataset: (name, description, access type, archived).
ROWS = [
    ("Alpha", "apples", "Public", False),
    ("Beta", "", "Private", True),
    ("gamma", "Apples and pears", "Private", False),
    ("Delta_2", "50% off", "Public", True),
    ("epsilon", "pears", "Public", False),
]
NAMES = ["Alpha", "beta", "GAMMA", "Delta_2", "zeta"]
PATTERNS = ["a%", "%a", "%e%", "_eta", "delta\\_%", "%\\%%", "%"]


def _like(value: str, pattern: str) -> bool:
    import re

    regex, index = "", 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            regex += re.escape(pattern[index + 1])
            index += 2
            continue
        regex += ".*" if char == "%" else "." if char == "_" else re.escape(char)
        index += 1
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL) is not None


# A clause as (SOQL text, Python predicate over a row).
leaf = st.one_of(
    st.sampled_from(NAMES).map(
        lambda n: (f"Name = '{n}'", lambda r, n=n: r[0].lower() == n.lower())
    ),
    st.sampled_from(NAMES).map(
        lambda n: (f"Name != '{n}'", lambda r, n=n: r[0].lower() != n.lower())
    ),
    st.sampled_from(PATTERNS).map(
        lambda p: (f"Description LIKE '{p}'", lambda r, p=p: _like(r[1], p))
    ),
    st.sampled_from(["Public", "Private"]).map(
        lambda t: (f"CollaborationType = '{t}'", lambda r, t=t: r[2] == t)
    ),
    st.booleans().map(lambda b: (f"IsArchived = {str(b).lower()}", lambda r, b=b: r[3] is b)),
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map(
        lambda ns: (
            "Name IN (" + ", ".join(f"'{n}'" for n in ns) + ")",
            lambda r, ns=ns: r[0].lower() in {n.lower() for n in ns},
        )
    ),
    st.just(("Description = null", lambda r: r[1] == "")),
)


def _combine(children):
    return st.one_of(
        children.map(lambda c: (f"NOT ({c[0]})", lambda r, c=c: not c[1](r))),
        st.tuples(st.sampled_from(["AND", "OR"]), st.lists(children, min_size=2, max_size=3)).map(
            lambda t: (
                f" {t[0]} ".join(f"({c[0]})" for c in t[1]),
                (lambda r, t=t: all(c[1](r) for c in t[1]))
                if t[0] == "AND"
                else (lambda r, t=t: any(c[1](r) for c in t[1])),
            )
        ),
    )


clauses = st.recursive(leaf, _combine, max_leaves=6)


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(clause=clauses)
def test_compiled_where_selects_what_python_selects(clause, user):
    if not Group.objects.filter(name="Alpha").exists():
        for name, description, access, archived in ROWS:
            GroupFactory(
                name=name, description=description, access_type=access, is_archived=archived
            )
    soql, predicate = clause
    plan = soql_compile(f"SELECT Name FROM CollaborationGroup WHERE {soql}", viewer=user)
    found = sorted(r["Name"] for r in plan.page(0, 2000, lambda *a: ""))
    assert found == sorted(r[0] for r in ROWS if predicate(r)), soql
