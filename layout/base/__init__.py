"""What every room uses: located errors and the report, safe file reading and writing,
lengths with units, and a share of work in a forked child."""
