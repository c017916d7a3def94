def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_demo_login_and_home(demo, client, auth):
    for username in ("faskel", "bendahara", "askot", "admin"):
        response = auth.login(username)
        assert response.status_code == 302, username
        page = client.get("/")
        assert page.status_code == 200
        assert b"Halo" in page.data
        auth.logout()
