"""The edition as the user wrote it: YAML with positions, the frozen model and its
conversion, stories (their pasted text cleaned), photo files, the page grid, and the
loader that joins them (with every mistake located). Nothing here knows how text is set."""
