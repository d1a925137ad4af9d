from django.urls import path

from auditapp import views

app_name = "auditapp"

urlpatterns = [
    path("posts/", views.posts, name="posts"),
    path("posts/optimised/", views.posts_optimised, name="posts-optimised"),
    path("posts/planned/", views.posts_planned, name="posts-planned"),
    path("posts/<int:pk>/", views.post_detail, name="post-detail"),
    path("mine/", views.mine, name="mine"),
    path("counts/", views.counts, name="counts"),
    path("counted/", views.counted, name="counted"),
    path("live/posts/", views.LivePosts.as_view(), name="live-posts"),
    path("broken/", views.broken, name="broken"),
]

for slug in views.LIBRARY_PAGES:
    urlpatterns += [
        path(f"library/{slug}/", views.library_page(slug, optimised=False), name=f"library-{slug}"),
        path(f"library/{slug}/optimised/", views.library_page(slug, optimised=True), name=f"library-{slug}-optimised"),
    ]
