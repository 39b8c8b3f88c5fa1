"""The digital edition (数字报): the composed issue as a static website, each story one
article, its parts on the pages found from the composition (the display list's `Source`
items), nothing guessed."""
