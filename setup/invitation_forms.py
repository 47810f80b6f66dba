"""The filters of Setup › Invitations and its selection of rows."""

from __future__ import annotations

from django import forms

from invitations.selectors import LIST_STATUSES, InvitationFilters

STATUS_CHOICES = [("", "All"), *((status, status) for status in LIST_STATUSES)]


class InvitationFilterForm(forms.Form):
    """Status, group, inviter, email domain, sent date and a search by address (GET)."""

    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    q = forms.CharField(label="Search by address", max_length=240, required=False)
    group = forms.CharField(label="Group", max_length=80, required=False)
    inviter = forms.CharField(label="Invited By", max_length=80, required=False)
    domain = forms.CharField(
        label="Email domain",
        max_length=240,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "globex.example"}),
    )
    sent_from = forms.DateField(
        label="Sent from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sent_to = forms.DateField(
        label="Sent to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> InvitationFilters:
        """The valid filters; a field with a bad value filters nothing."""
        self.is_valid()  # fills cleaned_data with the fields whose value is valid
        data = self.cleaned_data
        return InvitationFilters(
            status=data.get("status") or "",
            group=(data.get("group") or "").strip(),
            inviter=(data.get("inviter") or "").strip(),
            domain=(data.get("domain") or "").strip(),
            sent_from=data.get("sent_from"),
            sent_to=data.get("sent_to"),
            query=(data.get("q") or "").strip(),
        )
