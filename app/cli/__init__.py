"""The ``finops`` command line (typer). One module per command group."""
