"""Public complaints about designated units and monitoring that leads somewhere (issue 17 §2,
§3): ``rules`` (pure: statuses and their table, due dates, who may do what, the public form's
spam checks, verification outcomes), ``formstamp`` (the signed
form time), ``models``, ``services`` (the register), ``monitoring`` (reports with their LKE
score and letter, verification tasks), and the web layer (``forms``, ``views``)."""
