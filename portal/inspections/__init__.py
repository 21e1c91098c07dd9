"""Inspection rounds (обход дома): the comendant walks a house's common property point by point of the company's
checklist, records each point «в порядке» or a remark with photos, and completes the round: the act of inspection
(акт осмотра общего имущества, ПП № 491 п. 13–14) and one request per remark that needs one."""
