"""Groups (グループ) and their boards (掲示板): threads, replies, read receipts."""
