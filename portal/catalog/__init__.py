"""Catalog (платные услуги и справки): the catalogue of paid services and certificates, orders paid online (kept
apart from the account's utility debt), each fulfilled as a paid request of the dispatch service; certificates
made from the portal's own data (выписка из лицевого счёта, справка об отсутствии задолженности, копия квитанции)
or by staff."""
