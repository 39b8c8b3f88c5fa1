"""From display lists to files: the press pass (marks, bleed, rich black), the image
pass and colour profile, preflight, the PDF writer (which reads only the display list),
and the text trace of a display list."""
