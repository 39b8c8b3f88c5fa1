"""What every room uses: located errors and the report, safe file reading and writing,
lengths with units, which script a character is (the one place that knows code point
ranges: the edition's paste cleaning and the text rules both ask), and a share of work
in a forked child."""
