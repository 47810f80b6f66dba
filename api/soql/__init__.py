"""SOQL, Salesforce's query language, compiled to Django ORM querysets.

``soql_compile(text, viewer=user)`` parses ``text`` (grammar.lark, parser.py) and
compiles it (compiler.py) to a plan whose rows start from the selectors that decide
what ``viewer`` may see. It knows nothing of HTTP: errors are ``SoqlError`` with
Salesforce's error code and message; ``api.views.query`` turns them into answers.
"""

from api.soql.compiler import Plan, soql_compile
from api.soql.errors import SoqlError
from api.soql.parser import MAX_QUERY_LENGTH, parse

__all__ = ["MAX_QUERY_LENGTH", "Plan", "SoqlError", "parse", "soql_compile"]
