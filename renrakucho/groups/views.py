"""Group screens (being written: every page answers 404 until it lands)."""

from django.http import Http404


def _not_yet(request, **kwargs):
    raise Http404


group_list = group_new = group_board = group_edit = group_join = group_leave = _not_yet
members = member_action = search = thread_new = invitation = thread = _not_yet
thread_pin = thread_close = attachment = attachment_thumbnail = _not_yet
