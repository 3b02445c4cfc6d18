"""Institutional sign-in: identity providers (OpenID Connect and SAML) registered as data, and the
identities members link to their account through them.

``models`` holds the records, ``protocol`` the contract both protocols keep (``oidc``, ``saml``).
"""
