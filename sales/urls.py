from django.urls import path

from sales import action_views, document_views, views

app_name = "sales"

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="order_list"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="order_detail"),
    path(
        "orders/<str:number>/packing-slip.pdf",
        document_views.packing_slip_view,
        name="packing_slip_pdf",
    ),
    path("invoices/<str:number>.pdf", document_views.invoice_pdf_view, name="invoice_pdf"),
    path("orders/<str:number>/cancel/", action_views.order_cancel_view, name="order_cancel"),
    path("orders/<str:number>/notes/", action_views.order_note_view, name="order_note"),
    path("orders/<str:number>/returns/new/", action_views.rma_create_view, name="rma_create"),
    path("returns/", views.RmaListView.as_view(), name="rma_list"),
    path("returns/<str:number>/", views.RmaDetailView.as_view(), name="rma_detail"),
    path("returns/<str:number>/status/", action_views.rma_status_view, name="rma_status"),
    path("returns/<str:number>/receive/", action_views.rma_receive_view, name="rma_receive"),
    path("returns/<str:number>/refund/", action_views.rma_refund_view, name="rma_refund"),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
]
