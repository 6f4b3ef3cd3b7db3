from filters.wordmatch import WordMatcher


def test_whole_words_only():
    matcher = WordMatcher(["ass", "cock", "cunt"])
    assert matcher.finditer("assess the cocktail in scunthorpe") == []
    assert [m.word for m in matcher.finditer("you ass")] == ["ass"]


def test_leet_masking_and_repeats():
    matcher = WordMatcher(["shit", "fuck"])
    found = [m.word for m in matcher.finditer("sh1t, $hit, f*ck and fuuuuck")]
    assert found == ["shit", "shit", "fuck", "fuck"]


def test_multi_word_entries_and_spans():
    matcher = WordMatcher(["bull shit", "shit"])
    [match] = matcher.finditer("that is bull   shit")
    assert match.word == "bull shit"
    assert (match.start, match.end) == (8, 19)


def test_longest_word_wins():
    matcher = WordMatcher(["fuck", "fucking"])
    assert [m.word for m in matcher.finditer("fucking hell")] == ["fucking"]


def test_empty_list_finds_nothing():
    assert WordMatcher([]).finditer("anything") == []
