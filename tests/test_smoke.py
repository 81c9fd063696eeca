def test_town_portal_answers(client_a):
    response = client_a.get("/")
    assert response.status_code == 200
    assert "เทศบาลตำบลอัลฟา" in response.content.decode()
