KWARGS = {
    "study_code": (lambda w: w.study.code, None, lambda w: w.other_study.code),
    "participant_id": (lambda w: w.participant_a.pk, lambda w: w.participant_b.pk, lambda w: w.participant_c.pk),
}
