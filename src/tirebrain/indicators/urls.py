from django.urls import path

from tirebrain.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("<str:code>/", views.target_detail, name="target_detail"),
    path("<str:code>/records/", views.records, name="records"),
]
