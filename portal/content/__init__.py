"""Content (новости и объявления): news, notices and emergency notices for an audience, moderated before they go
out, read in the resident's feed and delivered through the notifications' channels."""
