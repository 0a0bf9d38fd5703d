from django.urls import path, re_path

from tirebrain.trace import epcis_views, views

app_name = "trace"
urlpatterns = [
    # GS1 EPCIS 2.0 REST binding (paths without a trailing slash, as the binding writes them)
    path("epcis/v2/capture", epcis_views.capture, name="capture"),
    path("epcis/v2/capture/<str:capture_id>", epcis_views.capture_job, name="capture_job"),
    path("epcis/v2/events", epcis_views.events, name="events"),
    path("epcis/v2/events/<path:event_id>", epcis_views.event, name="event"),
    # pages
    path("trace/tyre/", views.tyre, name="tyre"),
    path("trace/recycling/", views.recycling_page, name="recycling"),
    path("trace/recycling/<slug:stage>/<int:year>/", views.stage_events, name="stage_events"),
    # GS1 Digital Link of a serialised tyre (the sidewall QR code): its life history
    re_path(r"^01/(?P<gtin>\d{14})/21/(?P<serial>[^/]{1,20})/?$", views.tyre, name="dl_tyre"),
]
