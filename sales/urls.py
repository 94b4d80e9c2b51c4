from django.urls import path

from sales import views

app_name = "sales"

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="order_list"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="order_detail"),
    path("returns/", views.RmaListView.as_view(), name="rma_list"),
    path("returns/<str:number>/", views.RmaDetailView.as_view(), name="rma_detail"),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
]
