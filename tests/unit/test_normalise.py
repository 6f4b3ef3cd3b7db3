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


def test_leetspeak_inside_words_becomes_letters_with_offsets_kept():
    text = "gonna sm@sh the n3xt inspect0r"
    folded = fold(text)
    assert folded.text == "gonna smash the next inspector"
    assert len(folded.text) == len(folded.origin)
    assert folded.excerpt(6, 11) == "sm@sh"


def test_leetspeak_leaves_numbers_postcodes_and_emails_alone():
    text = "NN16 8QP, flat 3b, b4 4pm, covid19, jo@mail.com"
    assert fold(text).text == text.lower()


def test_homoglyph_and_combining_offsets_point_at_what_was_written():
    text = "ok ｓｈ\u0456t"  # fullwidth s, h and a Cyrillic i
    folded = fold(text)
    assert folded.text == "ok shit"
    assert folded.excerpt(3, 7) == "ｓｈ\u0456t"


def test_punctuation_that_stands_for_letters():
    assert fold("sh¡t").text == "shit"
    assert fold("fuck’s sake").text == "fuck's sake"
