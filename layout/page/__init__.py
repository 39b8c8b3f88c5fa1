"""Pages: stories through their frames (grid, wrap, widows, balance, jumps, overset),
every element of a page, and the proof overlay. Produces display lists; knows nothing
of PDF."""
