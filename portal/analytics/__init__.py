"""Analytics (аналитика): the figures the company is steered by — the dashboard, NPS/CSI and the staff KPI bonus."""
