ACCESS = {
    "GET /notifications": "user",
    "POST /notifications/read": "user",
    "GET /notifications/{message_id:int}/open": "user",
    "GET /notifications/settings": "user",
    "POST /notifications/settings": "user",
    "POST /notifications/push": "user",
    "POST /notifications/push/off": "user",
    "GET /unsubscribe/{token:str}": "public",
    "POST /unsubscribe/{token:str}": "public",
    "POST /unsubscribe/{token:str}/undo": "public",
}
