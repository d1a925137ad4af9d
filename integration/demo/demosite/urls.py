from django.urls import path

from books import views

urlpatterns = [
    path("", views.Library.as_view(), name="index"),
]
