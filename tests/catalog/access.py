"""Who may call each route of the catalog (read by the route × role matrix test)."""

VIEW = "staff:manager,dispatcher,operator,accountant"
WORK = "staff:manager,dispatcher,operator"
QUOTE = "staff:manager,dispatcher"
SALES = "staff:manager,accountant"
CATALOGUE = "staff:manager"
REFUND = "staff:accountant"

ACCESS: dict[str, str] = {
    "GET /services": "resident",
    "GET /services/{service_id:int}": "resident",
    "GET /services/photos/{service_id:int}": "user",
    "GET /services/photos/{service_id:int}/card": "user",
    "POST /services/cart": "resident",
    "GET /services/cart": "resident",
    "POST /services/cart/remove": "resident",
    "POST /services/cart/order": "resident",
    "POST /services/{service_id:int}/document": "resident",
    "GET /services/orders": "resident",
    "GET /services/orders/{order_id:int}": "resident",
    "POST /services/orders/{order_id:int}/pay": "resident",
    "GET /services/orders/{order_id:int}/paid": "resident",
    "GET /services/orders/{order_id:int}/pay-cancel": "resident",
    "POST /services/orders/{order_id:int}/pay-cancel": "resident",
    "GET /services/orders/{order_id:int}/cancel": "resident",
    "POST /services/orders/{order_id:int}/cancel": "resident",
    "POST /services/orders/{order_id:int}/rate": "resident",
    "GET /services/orders/documents/{document_id:int}": "resident",
    "GET /staff/orders": VIEW,
    "GET /staff/orders/export.csv": VIEW,
    "GET /staff/orders/export.xlsx": VIEW,
    "GET /staff/orders/sales": SALES,
    "GET /staff/orders/new": WORK,
    "POST /staff/orders/new": WORK,
    "GET /staff/orders/{order_id:int}": VIEW,
    "POST /staff/orders/{order_id:int}/quote": QUOTE,
    "POST /staff/orders/{order_id:int}/documents": WORK,
    "POST /staff/orders/{order_id:int}/cancel": WORK,
    "POST /staff/orders/{order_id:int}/refunded-by-hand": REFUND,
    "GET /staff/orders/documents/{document_id:int}": VIEW,
    "GET /staff/catalog": CATALOGUE,
    "GET /staff/catalog/services/new": CATALOGUE,
    "POST /staff/catalog/services/new": CATALOGUE,
    "GET /staff/catalog/services/{service_id:int}": CATALOGUE,
    "POST /staff/catalog/services/{service_id:int}": CATALOGUE,
    "GET /staff/catalog/categories/new": CATALOGUE,
    "POST /staff/catalog/categories/new": CATALOGUE,
    "GET /staff/catalog/categories/{category_id:int}": CATALOGUE,
    "POST /staff/catalog/categories/{category_id:int}": CATALOGUE,
}
