from django.urls import path

from auditapp import views

app_name = "auditapp"

urlpatterns = [
    path("posts/", views.posts, name="posts"),
    path("posts/optimised/", views.posts_optimised, name="posts-optimised"),
    path("posts/<int:pk>/", views.post_detail, name="post-detail"),
    path("mine/", views.mine, name="mine"),
    path("counts/", views.counts, name="counts"),
    path("broken/", views.broken, name="broken"),
]
