"""Fonts: the manifest's roles to faces and files, checked; the subsetter; the make step
that installs missing fonts."""
