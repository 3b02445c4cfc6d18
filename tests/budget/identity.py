"""Institutional sign-in: the sign-in page shows a button per enabled provider, the account page lists the
member's linked identities and the providers they could link. Both grow here."""

from __future__ import annotations

from sqlalchemy import insert, select

from network.extensions import db


def populate(app, people, named, count):
    from network.identity.models import IdentityProvider, LinkedIdentity
    from network.types import utcnow

    with app.app_context():
        first = named.get("identity_providers", 0)
        slugs = [f"budget-idp-{n}" for n in range(first, first + count)]
        now = utcnow()
        db.session.execute(insert(IdentityProvider), [
            {"slug": slug, "kind": "oidc", "name": f"Budget Hospital {slug}", "metadata_url": "", "metadata_xml": "",
             "entity_id": "", "client_id": "", "client_secret_sealed": "", "email_domains": "",
             "verifies_members": False, "role_claim": "", "role_map": {}, "enabled": True, "created_at": now}
            for slug in slugs])
        ids = db.session.scalars(select(IdentityProvider.id).where(IdentityProvider.slug.in_(slugs))).all()
        members = [member.id for role, member in people.items() if role in ("fellow", "alumni", "faculty", "admin")]
        db.session.execute(insert(LinkedIdentity), [
            {"user_id": member_id, "provider_id": provider_id, "subject": f"budget-{member_id}-{provider_id}",
             "email": "", "created_at": now, "last_used_at": now}
            for member_id in members for provider_id in ids])
        db.session.commit()
        named["identity_providers"] = first + count
