"""Chat (チャット): direct and group conversations among professionals of a Network."""
