"""Rate limits kept in Redis (the production storage) are shared by every app process."""

from __future__ import annotations


def test_sign_in_limit_counted_in_redis_applies_to_another_process(make_app, make_user, redis_server):
    redis = redis_server.client()
    redis.flushdb()
    first = make_app(RATELIMIT_STORAGE_URI=redis_server.url)
    member = make_user()
    client = first.test_client()
    for _ in range(10):
        refused = client.post("/auth/login", data={"email": member.email, "password": "wrong password!!"})
        assert refused.status_code == 400
    assert any(b"auth.login" in key for key in redis.keys("*")), "the limiter wrote nothing to Redis"
    # A second app (as a second gunicorn worker would be) sees the same count.
    second = make_app(RATELIMIT_STORAGE_URI=redis_server.url)
    response = second.test_client().post("/auth/login", data={"email": member.email, "password": member.password})
    assert response.status_code == 429
    redis.flushdb()
