from renrakucho.accounts.models import User


def test_django_admin_is_for_superusers_only(personas, client_for):
    # An operator is not platform staff: the admin login page is all they get.
    response = client_for(personas.operator_a).get("/django-admin/")
    assert response.status_code == 302 and "/django-admin/login/" in response["Location"]

    root = User.objects.create_superuser("root-admin", "x-password-123")
    client = client_for(root)
    assert client.get("/django-admin/networks/network/").status_code == 200
    # Resident data is not in the admin at all.
    assert client.get("/django-admin/residents/resident/").status_code == 404


def test_admin_refuses_a_bad_municipality_code_in_japanese(personas, client_for):
    root = User.objects.create_superuser("root-admin", "x-password-123")
    client = client_for(root)
    response = client.post(
        "/django-admin/networks/municipality/add/", {"code": "202097", "name": "伊那市"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "地方公共団体コードの検査数字が正しくありません。" in response.content.decode()
    response = client.post(
        "/django-admin/networks/municipality/add/", {"code": "20384", "name": "箕輪町"}
    )
    assert "地方公共団体コードは6桁の半角数字で入力してください。" in response.content.decode()
