from streams.core.identity import article_id, canonical_url


def test_tracking_parameters_fragment_and_case_do_not_change_the_id():
    """The same article via a campaign link or another casing of the host keeps one id."""
    plain = "https://news.example.com/world/story-1?page=2"
    noisy = "HTTPS://News.Example.com:443/world/story-1?utm_source=x&page=2&fbclid=abc#comments"
    assert canonical_url(noisy) == canonical_url(plain)
    assert article_id(url=noisy, title="a", body="b") == article_id(url=plain, title="c", body="d")


def test_meaningful_query_parameters_are_kept():
    """Different real parameters are different articles."""
    assert canonical_url("https://x.org/a?id=1") != canonical_url("https://x.org/a?id=2")


def test_without_url_the_id_follows_normalised_text():
    """Whitespace, case and accents do not change a text-based id; the words do."""
    one = article_id(url=None, title="Talks in Türkiye", body="Delegations  met.\n")
    two = article_id(url=None, title="talks in turkiye", body="Delegations met.")
    three = article_id(url=None, title="Talks in Türkiye", body="Delegations left.")
    assert one == two
    assert one != three
