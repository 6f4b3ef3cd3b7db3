from filters.normalise import fold


def test_plain_ascii_is_lowercased_with_identity_offsets():
    folded = fold("Hello THERE")
    assert folded.text == "hello there"
    assert folded.span(6, 11) == folded.span(6, 11)
    assert folded.excerpt(6, 11) == "THERE"


def test_fullwidth_and_homoglyphs_fold_to_latin():
    assert fold("ｆｕｃｋ").text == "fuck"
    assert fold("ѕhіt").text == "shit"  # Cyrillic s and i


def test_zero_width_and_combining_marks_are_removed_but_spans_point_at_the_original():
    text = "you f\u200bu\u0301ck"
    folded = fold(text)
    assert folded.text == "you fuck"
    span = folded.span(4, 8)
    assert text[span.start : span.end] == "f\u200bu\u0301ck"


def test_spelt_out_letters_are_joined():
    assert fold("f.u.c.k off").text == "fuck off"
    assert fold("s h i t").text == "shit"
    assert fold("what a b c").text == "what abc"


def test_mixed_separators_are_left_alone():
    assert fold("f.u c-k").text == "f.u c-k"


def test_ordinary_sentences_are_not_joined():
    text = "I am at 4 Elm Rd and I need help"
    assert fold(text).text == text.lower()
