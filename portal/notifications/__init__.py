"""Notifications (уведомления): who hears a message (the audience), by which channels (e-mail, SMS, web push,
in-app), in which words (message templates in the recipient's language), and what became of each delivery."""
