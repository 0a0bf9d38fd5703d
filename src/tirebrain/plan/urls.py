from django.urls import path

from tirebrain.plan import views

app_name = "plan"
urlpatterns = [
    path("", views.version_list, name="version_list"),
    path("v<int:number>/", views.version_detail, name="version_detail"),
    path("diff/", views.version_diff, name="version_diff"),
]
