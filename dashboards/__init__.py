"""Pure figure builders: rows in, plotly ``Figure`` out, one theme. No I/O, no ``app``."""
