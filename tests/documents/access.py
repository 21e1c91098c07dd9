"""Who may call each route of the house's documents (read by the route × role matrix test): residents read theirs,
any staff member reads those of their houses, managers (and administrators) put them up and change them."""

READ = "staff"
EDIT = "staff:manager"

ACCESS: dict[str, str] = {
    "GET /documents": "resident",
    "GET /documents/{house_document_id:int}": "resident",
    "GET /staff/documents": READ,
    "GET /staff/documents/new": EDIT,
    "POST /staff/documents/new": EDIT,
    "GET /staff/documents/{house_document_id:int}": READ,
    "GET /staff/documents/{house_document_id:int}/files/{file_id:int}": READ,
    "GET /staff/documents/{house_document_id:int}/edit": EDIT,
    "POST /staff/documents/{house_document_id:int}/edit": EDIT,
    "POST /staff/documents/{house_document_id:int}/replace": EDIT,
    "POST /staff/documents/{house_document_id:int}/visibility": EDIT,
}
