"""Text before lines: runs per face, HarfBuzz shaping, and where a line may end (UAX #14
with the Chinese and Tibetan rules), asking base/scripts which script a character is.
Knows nothing of lines, pages or PDF."""
