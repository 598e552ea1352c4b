"""System settings the administrator keeps in the database, over the environment's defaults.

Today one: the public address (``public_base_url``) that certificates print and encode in their
QR code, and that other public links (PortalRB's API) are built on. Layers as everywhere:
``public_url`` (pure: what a valid address is, and whether the public could reach it),
``models`` and ``services`` (the stored setting, audited; ``services.public_base_url`` is the
one place the effective address is read), ``forms`` and ``views`` (the administrator's page).
"""
