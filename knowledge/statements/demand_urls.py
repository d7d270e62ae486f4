"""``/demand/``: the network's declared demand (HTML)."""

from django.urls import path

from knowledge.statements import demand_views

app_name = "demand"

urlpatterns = [path("", demand_views.demand_page, name="index")]
