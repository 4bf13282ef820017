"""A printable PDF of one session and the patient's progress, for the treating therapist.

`document.write_session_report` is the entry point. The pages are planned first (`flow`, on
the A4 geometry and measured text of `layout`), then drawn: page 1 (`front_page`, with the
`explanation` of the numbers), the therapist's notes and changes while the session ran
(`steering_page`, only when there were any), one section per exercise (`exercise_pages`, a
repetition the therapist set aside struck through in grey) and the progress charts
(`trend_pages`, from `coach.records.trends`). Values read alike everywhere (`wording`).

Print legibility: A4 portrait, body text 10 pt, tables and chart labels 9 pt, headings
14–16 pt, black text; the patient's left is blue with circles and solid lines, the
right vermillion with squares, dashed lines and hatched bars (Okabe–Ito colours, told
apart in grey print and by colour-blind readers too). Left and right are the patient's
anatomical sides, labelled "(patient's)" in every table and chart.

Every text is in the user's language (`coach.base.i18n.tr`; the catalogue in
assets/locale), dates and decimals as `coach.base.formats` writes
them; table columns widen where a long German word needs it (`flow.fitted_columns`).
"""
