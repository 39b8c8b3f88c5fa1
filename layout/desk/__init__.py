"""The ways people drive the pipeline: the command line, --watch, the live preview and
the opt-in warm render server."""
