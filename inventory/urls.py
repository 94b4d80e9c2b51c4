from django.urls import path

from inventory import stock_import_views, views

app_name = "inventory"

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("stock/mass-edit/", views.stock_mass_edit, name="stock_mass_edit"),
    path("stock/import/", stock_import_views.stock_import, name="stock_import"),
]
