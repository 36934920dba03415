"""The brief: placed facts chosen, merged and ranked into lines, fitted to one page.

The third stage. ``select`` merges the same statement from several sources into
one cited line and ranks the lines; ``render`` lays them out with WeasyPrint until
they fit one page, and renders the fitted ``Brief`` as HTML, PDF and JSON.
"""
