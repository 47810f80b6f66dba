"""Forms for groups, members and the feed; the rules themselves live in the actions."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from groups.actions import group_locked_fields
from groups.models import Group, Membership

ALLOW_CUSTOMERS_HELP = (
    "Lets group managers invite people from outside the company. Only for Private or "
    "Unlisted groups; once on, it can't be turned off and the access type can't change."
)
# What the confirm step of ticking "Allow Customers" says (page and modal alike).
ALLOW_CUSTOMERS_CONFIRM_LINES = (
    "Group managers will be able to invite people from outside the company.",
    "Allow Customers can't be turned off once it's on, and the access type can't change.",
)


class GroupForm(forms.ModelForm):
    """ "New Group" and "Edit Group": the settings of REFERENCE §3."""

    allow_customers_confirm_lines = ALLOW_CUSTOMERS_CONFIRM_LINES

    class Meta:
        model = Group
        fields = [
            "name",
            "description",
            "information_title",
            "information_text",
            "access_type",
            "allow_customers",
            "broadcast_only",
            "is_archived",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "information_text": forms.Textarea(attrs={"rows": 4}),
            "access_type": forms.RadioSelect,
        }
        help_texts = {
            "access_type": "Public: anyone in the company can see and join. Private: only "
            "members see the feed; others ask to join. Unlisted: hidden from lists and "
            "search; invitation only.",
            "allow_customers": ALLOW_CUSTOMERS_HELP,
            "broadcast_only": "Only the owner and managers can post.",
            "is_archived": "Archived groups are read-only.",
        }

    def __init__(self, *args: Any, unlisted_enabled: bool, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Shown locked, not Django-disabled: the template posts the saved value in a
        # hidden input, so a forged change still reaches the action and is refused.
        self.locked = group_locked_fields(self.instance)
        for name in self.locked:
            self.fields[name].widget.attrs["disabled"] = True
        creating = self.instance.pk is None
        if creating:
            del self.fields["is_archived"]
        # Unlisted is offered only while the org enables it, or to a group that already is.
        keep_unlisted = unlisted_enabled or (
            not creating and self.instance.access_type == Group.AccessType.UNLISTED
        )
        if not keep_unlisted:
            access_type = cast(forms.ChoiceField, self.fields["access_type"])
            access_type.choices = [
                c for c in Group.AccessType.choices if c[0] != Group.AccessType.UNLISTED
            ]

    def _post_clean(self) -> None:
        # The actions validate and save; the form only checks the fields themselves,
        # so the instance (possibly the saved group) is never touched here.
        pass


class PostForm(forms.Form):
    body = forms.CharField(
        label="Post",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write something first."},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write something first."},
    )


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)


class GroupListForm(SearchForm):
    FILTERS = [("mine", "My Groups"), ("all", "All Groups")]
    show = forms.ChoiceField(label="Show", choices=FILTERS, required=False)

    q = forms.CharField(label="Search groups", required=False, max_length=100)


# "Change Roles" offers these two; the owner changes only by transfer.
ROLE_CHOICES = [(Membership.Role.MANAGER, "Manager"), (Membership.Role.MEMBER, "Member")]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)
