"""Images for the profile tests, made with Pillow on the spot."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(fmt="PNG", size=(40, 30), colour="#0b4f6c") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


PNG_PIXEL = image_bytes(size=(8, 8))


def bulk_members(app, count: int, saved_by: int | None = None, prefix: str = "Dr. Pain Person") -> list[int]:
    """``count`` verified alumni with indexed profiles and three interests, in one transaction."""
    from sqlalchemy import select

    from network.extensions import db
    from network.members.models import MemberStatus, Role, User
    from network.profiles.models import Profile, SavedMember
    from network.taxonomy.models import Interest

    with app.app_context():
        interests = db.session.scalars(select(Interest).order_by(Interest.id).limit(3)).all()
        users = [User(email=f"{prefix.lower().replace(' ', '.')}.{n}@example.org", name=f"{prefix} {n}",
                      role=Role.ALUMNI, status=MemberStatus.VERIFIED, password_hash="x") for n in range(count)]
        db.session.add_all(users)
        db.session.flush()
        for user in users:
            profile = Profile(user_id=user.id, headline="Pain medicine", city="Austin", country="US",
                              location_visibility="members", interests=list(interests))
            db.session.add(profile)
            if saved_by:
                db.session.add(SavedMember(owner_id=saved_by, member_id=user.id))
        db.session.commit()
        return [user.id for user in users]
