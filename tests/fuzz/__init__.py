"""The standing fuzz campaign (`make fuzz`): generated hostile editions, YAML, story text,
files and command lines, each run through the real command with a time and memory
bound, and classified (rendered, a located input error, an environment error, a
documented exit code; or a failure: traceback, hang, unlocated error, lost text, crash,
a clobbered input, Ghostscript run, a file leaked from outside the edition).

Every case is made from (seed, class, index) alone, so any case can be replayed:
`python -m tests.fuzz --seed S --replay CLASS:INDEX`. See `gen.py` for the classes and
`run.py` for the runner.
"""
