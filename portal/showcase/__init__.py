"""Showcase (витрина): commercial premises for rent (аренда коммерческой недвижимости), flats for rent
(аренда квартир, with help for the tenant moving in) and resale of flats («Монолит Брокер»), in the company's own
complexes — public listings with photos, filters and a lead form (заявка на просмотр), the staff's listings and
leads, and owners asking the company to list their flat."""
