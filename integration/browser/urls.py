from django.urls import path

from browser import views

urlpatterns = [
    path("counter/", views.Counter.as_view()),
    path("signup/", views.Signup.as_view()),
    path("model/", views.Model.as_view()),
    path("focus/", views.Focus.as_view()),
    path("hooks/", views.Hooks.as_view()),
    path("rows/", views.Rows.as_view()),
    path("hook-rows/", views.HookRows.as_view()),
]
