"""Access control for the web app and API.

Who is asking (``principal``): a bearer token, a signed session cookie set by the
token login page, or a trusted reverse-proxy header mapped to a role in config.
What they may do (``roles``): a fixed role → permission table. Forms are protected
by ``csrf``. ``guard`` holds the FastAPI dependencies that ``app.web.routes``
attaches to every router, so no endpoint can be added without a decision.
"""
