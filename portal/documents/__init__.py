"""Documents of the house (документы дома): the management contract, the company's yearly report, the newcomer's
memo, the design code, the house rules and other papers the company hands to residents, for one or several houses
or for the whole company; staff upload, replace and hide them, residents read them."""
