"""Rendering results for people: result folders, workbooks (and, later, HTML reports)."""
