"""A paragraph in a style and widths becomes justified, positioned lines: units, line
breaking, justification by the clreq and Tibetan priorities. Also the display list's
types, the contract between pages and the PDF writer."""
