"""Text before lines: which script a character is (the one place that knows code point
ranges), runs per face, HarfBuzz shaping, and where a line may end (UAX #14 with the
Chinese and Tibetan rules). Knows nothing of lines, pages or PDF."""
