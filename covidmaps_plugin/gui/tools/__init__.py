"""The officer's editing tools: map tools, dialogs and their toolbar handlers.

Thin widgets over ``core.editing``; every decision (district of a location,
zone geometry, what a daily action changes) is made there and tested there.
"""
