"""Admin: registered identity providers, some in a program, with members linked through them."""

from __future__ import annotations

import itertools

from sqlalchemy import insert, select

from network.extensions import db

_batches = itertools.count(1)


def populate(app, people, named, count):
    from network.identity.models import IdentityProvider, LinkedIdentity
    from network.programs.models import Program
    from network.types import utcnow

    batch = next(_batches)
    with app.app_context():
        slugs = [f"budget-{batch}-{n}" for n in range(count)]
        # Three programs a batch: a lazy load of each row's program would cost more rows on the larger page.
        names = [f"budget-idp-{batch}-{n}" for n in range(3)]
        db.session.execute(insert(Program), [{"slug": name, "name": name, "institution": "Budget"} for name in names])
        programs = db.session.scalars(select(Program.id).where(Program.slug.in_(names))).all()
        db.session.execute(insert(IdentityProvider), [
            {"slug": slug, "kind": "saml" if n % 2 else "oidc", "name": f"Budget Provider {batch}-{n}",
             "metadata_url": "", "metadata_xml": "", "entity_id": f"https://{slug}.example", "client_id": "",
             "client_secret_sealed": "", "email_domains": "", "program_id": programs[n % 3] if n % 4 else None,
             "verifies_members": False, "role_claim": "", "role_map": {}, "enabled": bool(n % 4),
             "created_at": utcnow()} for n, slug in enumerate(slugs)])
        ids = db.session.scalars(select(IdentityProvider.id).where(IdentityProvider.slug.in_(slugs))).all()
        members = [person.id for person in people.values()]
        db.session.execute(insert(LinkedIdentity), [
            {"user_id": member, "provider_id": provider_id, "subject": f"{batch}-{member}", "email": "",
             "created_at": utcnow()} for provider_id in ids for member in members[:1]])
        db.session.commit()
