STAFF = "staff:manager,moderator,dispatcher"
ACCESS = {
    "GET /news": "resident",
    "GET /news/{post_id:int}": "resident",
    "GET /news/images/{image_id:int}": "resident",
    "POST /news/{post_id:int}/answer": "resident",
    "GET /news/{post_id:int}/event.ics": "resident",
    "GET /staff/posts": STAFF,
    "GET /staff/posts/new": STAFF,
    "POST /staff/posts/new": STAFF,
    "GET /staff/posts/{post_id:int}": STAFF,
    "GET /staff/posts/{post_id:int}/edit": STAFF,
    "POST /staff/posts/{post_id:int}/edit": STAFF,
    "POST /staff/posts/{post_id:int}/move": STAFF,
    "POST /staff/posts/{post_id:int}/duplicate": STAFF,
    "POST /staff/posts/{post_id:int}/images/{image_id:int}/delete": STAFF,
    "GET /staff/posts/images/{image_id:int}": STAFF,
}
