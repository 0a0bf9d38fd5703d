from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataValuesConfig(AppConfig):
    name = "tirebrain.datavalues"
    verbose_name = _("Reported values")
