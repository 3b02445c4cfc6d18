"""Institutional sign-in: identity providers (OpenID Connect and SAML) registered as data, and the
identities members link to their account through them.

``models`` holds the records, ``protocol`` the contract both protocols keep (``oidc``, ``saml``),
``protocols`` which module serves each kind. The member's side: ``linking`` decides what a provider's
answer means here (a linked member, an account to prove first, a new member) and writes it, ``pending``
keeps a sign-in's state in the session between requests, ``proof`` the mailed link, ``routes`` the pages.
"""
