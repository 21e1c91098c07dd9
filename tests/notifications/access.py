ACCESS = {
    "GET /notifications/settings": "user",
    "POST /notifications/settings": "user",
    "POST /notifications/push": "user",
}
