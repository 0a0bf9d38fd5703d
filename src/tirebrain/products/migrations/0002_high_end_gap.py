"""Each product's distance from the plan's high-end thresholds, stored so enterprises can be
ranked by its average in the database; products already registered get it computed here."""

from django.db import migrations, models

from tirebrain.products.highend import classify, high_end_gap
from tirebrain.products.services import product_facts


def fill_gaps(apps, schema_editor):
    PlanVersion = apps.get_model("plan", "PlanVersion")
    Product = apps.get_model("products", "Product")
    # The current version, as PlanVersionQuerySet.current() picks it (historical models have
    # no custom query sets).
    version = PlanVersion.objects.order_by("-loaded_at", "-number").first()
    thresholds = version.data.get("thresholds", []) if version else []
    for product in Product.objects.select_related("product_line").prefetch_related("categories"):
        categories = [c.code for c in product.categories.all()]
        product.high_end_gap = high_end_gap(
            classify(product_facts(product, categories), thresholds)
        )
        product.save(update_fields=["high_end_gap"])


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0001_initial"),
        ("plan", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="high_end_gap",
            field=models.FloatField(
                blank=True,
                help_text="summed shortfalls of the nearest threshold, in per cent of its limits; 0 for high-end",
                null=True,
                verbose_name="distance from high-end (%)",
            ),
        ),
        migrations.RunPython(fill_gaps, migrations.RunPython.noop),
    ]
