"""The mystery resident (тайный житель): residents a house's manager invites check the company's service in their
house once a month (a short graded form by place), and the company steers by their scorecards; a low grade files an
anonymous request to dispatch."""
