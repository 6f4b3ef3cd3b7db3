"""Shipped data, not code: the example config, policy profiles, word lists, templates, samples.

It is a package only so that it installs with the wheel; `bot.paths.shipped` finds files here.
"""
