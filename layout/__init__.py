"""paiban: an edition YAML in, a print-ready PDF out.

The rooms, lowest first; a room imports only itself and the rooms below it
(tests/test_architecture.py holds the order, docs/ARCHITECTURE.md draws it):

    base     errors, files, units, script ranges, the forked share of work
    fonts    the font manifest, faces, subsetting
    edition  the edition as the user wrote it: YAML, model, stories, photos, geometry
    text     language facts and text stages: runs, shaping, break rules
    lines    paragraphs into justified lines, the display list's types
    page     stories through frames, pages, the proof overlay
    output   the press pass, images, preflight, the PDF writer, traces
    api      the one pipeline: load -> compose -> finish
    desk     the ways people drive it: command line, watch, live preview, warm server
"""
