"""The Flask CLI entry: `flask --app app run | demo | generate | create-user | db upgrade`."""

from kotaku_pwa import create_app

app = create_app()
