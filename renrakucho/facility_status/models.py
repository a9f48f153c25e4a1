"""Facility operating status (事業所の運営状況): each facility's current status, supplies and history."""
