"""Online meetings and conferences (会議・カンファレンス): invitations, video links, minutes, iCalendar feeds."""
