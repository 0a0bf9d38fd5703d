from django.urls import path, re_path

from tirebrain.products import views

app_name = "products"
urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/analysis/", views.product_analysis, name="product_analysis"),
    path("products/import/", views.product_import, name="product_import"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/label.svg", views.label, name="label"),
    path("lookup/", views.public_lookup, name="public_lookup"),
    # GS1 Digital Link: the QR code on the label resolves to /01/<GTIN-14>/
    re_path(r"^01/(?P<gtin>\d{14})/$", views.public_product_page, name="public_gtin"),
    path("p/<int:pk>/", views.public_product_page, name="public_product"),
]
