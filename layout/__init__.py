"""paiban: an edition YAML in, a print-ready PDF out.

The stages, each one module, data flowing one way (see docs/ARCHITECTURE.md):
edition model -> text items -> shaped runs -> lines -> pages (display list) -> PDF.
"""
