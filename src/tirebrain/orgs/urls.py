from django.urls import path

from tirebrain.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.enterprise_list, name="enterprise_list"),
    path("export.<str:fmt>", views.enterprise_export, name="enterprise_export"),
    path("import/", views.enterprise_import, name="enterprise_import"),
    path("<str:code>/", views.enterprise_detail, name="enterprise_detail"),
]
