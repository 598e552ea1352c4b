"""The accreditation life cycle: cycles, stages, tiered assessment, reviews, snapshots.

Pure rules: ``workflow`` (stages, actions, the table, ``FACTS``), ``guards`` (what else must
hold, and the facts each guard reads), ``tiers``, ``editing``, ``prerequisites``, ``predicates``.
Services and queries: ``cycles`` (calendar, deadlines, quotas), ``enrolment`` (joining a cycle,
the declaration), ``transitions`` (moving an enrolment, gathering its facts), ``designations``
(designation, revocation, monitoring), ``assessments``, ``reviews``, ``proposal``,
``snapshots``, ``dashboards``, ``queries``, ``access`` (an enrolment within the user's scope).
Web: ``web/`` (the blueprint's views, forms and page models).
"""
