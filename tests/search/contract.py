"""The ONE backend contract: every search backend must pass these cases.

Subclasses (``test_backend_*.py``) choose the backend and state their known gaps. Content is built
through the real models; index updates run through the real signal → on-commit path
(``django_capture_on_commit_callbacks(execute=True)`` runs the commit callbacks).
"""

from __future__ import annotations

import pytest

from network.search import InvalidSearch, SearchQuery, search
from network.search import registry as search_registry
from network.search.backends.base import SearchBackend
from tests import factories as f
from tests.search import factories as sf

HOSTILE = [
    '"',
    '""',
    "*",
    "-",
    "--",
    "OR",
    "OR OR",
    ") OR (",
    "NEAR(laptop phone)",
    "lang:fi",
    "title:secret",
    "{title summary body} : secret",
    "secret*",
    "^secret",
    "secret AND NOT laptop",
    "'secret' & !laptop | phone",
    "secret:*",
    "\\",
    "\x00",
    "'; DROP TABLE search_searchdocument; --",
    "a" * 5000,
    "ö" * 300,
    '"unclosed phrase secret',
    "-secret",
    "laptop -laptop",
]


class BackendContract:
    """Mix into a ``Test...`` class and provide the ``search_backend`` fixture."""

    #: Known gaps of a backend, each skipping the named case with the reason.
    known_gaps: dict[str, str] = {}

    @pytest.fixture
    def search_backend(self) -> SearchBackend:  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def _use_backend(self, request, search_backend, monkeypatch, db):
        gap = self.known_gaps.get(request.node.originalname)
        if gap:
            pytest.skip(f"known gap: {gap}")
        monkeypatch.setattr(search_registry, "get_backend", lambda: search_backend)
        search_backend.clear()
        yield
        search_backend.clear()

    @pytest.fixture
    def world(self, django_capture_on_commit_callbacks):
        """Two verified buyers (Helsinki, Malmö), an unverified one, a working group, and content."""
        w = type("World", (), {})()
        w.hel = f.organisation("City of Helsinki", country="FI")
        w.mal = f.organisation("City of Malmö", country="SE")
        w.unv = f.organisation("Unverified Town", country="DE", verified=False)
        w.ams = f.organisation("City of Amsterdam", country="NL")
        w.group = f.working_group(members=[w.hel, w.ams])
        w.hel_member = f.member(w.hel)
        w.mal_member = f.member(w.mal)
        w.unv_member = f.member(w.unv)
        w.ams_member = f.member(w.ams)
        with django_capture_on_commit_callbacks(execute=True):
            w.phone = sf.template(
                w.hel,
                "Smartphone contract clauses",
                summary="Contract clauses for a fair phone: Electronics Watch monitoring of factories.",
                visibility="public",
                cpv_codes=["32250000"],
                criteria=[
                    ("contract_performance", "Electronics Watch", "The supplier joins Electronics Watch.")
                ],
                labels=["TCO Certified"],
            )
            w.laptops_fi = sf.template(
                w.hel,
                "Kannettava tietokone ja näyttö",
                summary="Vastuullinen hankinta: tietokone, jonka elinkaari on pitkä.",
                language="fi",
                visibility="public",
                cpv_codes=["30213100"],
                criteria=[("technical_specification", "TCO", "Tietokone on TCO Certified -sertifioitu.")],
                labels=["TCO Certified"],
            )
            w.reuse_sv = sf.lesson(
                w.mal,
                "Återbrukad dator i skolan",
                language="sv",
                visibility="public",
                context="Malmö köpte en återbrukad dator till varje elev.",
                stages=["market_engagement"],
            )
            w.secret = sf.template(
                w.mal,
                "Secret laptop pricing strategy",
                summary="Confidential phone and laptop pricing for the next tender.",
                visibility="private",
                cpv_codes=["30213100"],
                labels=["EPEAT"],
                criteria=[("award", "Price", "Secret award weights.")],
            )
            w.grouped = sf.template(
                w.hel,
                "Group laptop take-back clauses",
                summary="Take-back of every laptop at end of life.",
                visibility="group",
                groups=[w.group],
                cpv_codes=["30213100"],
            )
            w.network = sf.lesson(
                w.ams,
                "Network lesson on laptop leasing",
                visibility="network",
                context="Leasing laptops kept devices in use longer.",
            )
        return w

    # --- helpers ----------------------------------------------------------------------------

    def found(self, person, text="", **kwargs) -> set[tuple[str, int]]:
        results = search(person, SearchQuery(text, page_size=100, **kwargs))
        return {(h.type, h.id) for h in results.hits}

    # --- stemming -----------------------------------------------------------------------------

    def test_english_plural_finds_singular(self, world):
        assert ("template", world.phone.pk) in self.found(None, "phones")

    def test_finnish_inflected_forms_find_base_form(self, world):
        assert ("template", world.laptops_fi.pk) in self.found(None, "tietokoneita")
        assert ("template", world.laptops_fi.pk) in self.found(None, "kannettavat tietokoneet")

    def test_swedish_inflected_forms_find_base_form(self, world):
        assert ("lesson", world.reuse_sv.pk) in self.found(None, "återbrukade datorer")

    def test_french_and_dutch_plurals_find_singulars(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            fr = sf.lesson(world.hel, "Ordinateur portable reconditionné", language="fr", visibility="public")
            nl = sf.lesson(world.ams, "Telefoon met lange levensduur", language="nl", visibility="public")
        assert ("lesson", fr.pk) in self.found(None, "ordinateurs portables")
        assert ("lesson", nl.pk) in self.found(None, "telefoons")

    def test_a_word_absent_from_every_document_finds_nothing(self, world):
        assert self.found(world.hel_member, "quantumcomputer") == set()

    # --- syntax -------------------------------------------------------------------------------

    def test_all_words_must_match(self, world):
        assert self.found(None, "smartphone clauses") == {("template", world.phone.pk)}
        assert self.found(None, "smartphone tietokone") == set()

    def test_phrase_requires_adjacent_words_in_order(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            scattered = sf.lesson(
                world.hel,
                "Clauses first",
                visibility="public",
                context="Clauses were weak; the contract was long.",
            )
        assert ("lesson", scattered.pk) in self.found(None, "contract clauses")
        phrase = self.found(None, '"contract clauses"')
        assert ("template", world.phone.pk) in phrase
        assert ("lesson", scattered.pk) not in phrase

    def test_exclusion_removes_matching_documents(self, world):
        assert ("template", world.grouped.pk) in self.found(world.hel_member, "laptop")
        result = self.found(world.hel_member, "laptop -take-back")
        assert ("template", world.grouped.pk) not in result
        assert ("lesson", world.network.pk) in result

    def test_or_finds_either_word(self, world):
        both = self.found(None, "smartphone OR tietokone")
        assert both == {("template", world.phone.pk), ("template", world.laptops_fi.pk)}

    @pytest.mark.parametrize("text", HOSTILE)
    def test_hostile_syntax_neither_errors_nor_widens(self, world, text):
        found = self.found(world.hel_member, text)
        # Nothing the person may not read, and never the private "secret" template of Malmö.
        assert ("template", world.secret.pk) not in found
        # Operators and column filters are words here: no query may match every document.
        everything = self.found(world.hel_member, "")
        assert found != everything or not everything

    def test_colon_and_star_are_not_operators(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            titled = sf.lesson(world.hel, "Title secret note", visibility="public")
        assert self.found(world.hel_member, "title:secret") == {("lesson", titled.pk)}
        assert self.found(world.hel_member, "*") == set()

    # --- facets -------------------------------------------------------------------------------

    def test_facets_count_visible_matches(self, world):
        results = search(world.hel_member, SearchQuery("laptop OR phone OR tietokone"))
        facets = {name: {v.value: v.count for v in values} for name, values in results.facets.items()}
        assert facets["type"] == {"template": 3, "lesson": 1}
        assert facets["country"] == {"FI": 3, "NL": 1}
        assert facets["cpv"] == {"30": 2, "32": 1}
        assert facets["label"] == {"tco-certified": 2}
        assert facets["organisation"]["city-of-helsinki"] == 3

    def test_filters_narrow_results_and_facets(self, world):
        results = search(world.hel_member, SearchQuery("", filters={"cpv": ["30"], "type": ["template"]}))
        assert {h.id for h in results.hits} == {world.laptops_fi.pk, world.grouped.pk}
        assert {v.value for v in results.facets["cpv"]} == {"30"}
        stage = search(None, SearchQuery("", filters={"stage": ["contract_performance"]}))
        assert [h.id for h in stage.hits] == [world.phone.pk]
        lang = search(None, SearchQuery("", filters={"language": ["sv"], "type": ["lesson", "template"]}))
        assert [h.id for h in lang.hits] == [world.reuse_sv.pk]
        assert {h.language for h in search(None, SearchQuery("", filters={"language": ["sv"]})).hits} == {
            "sv"
        }

    def test_results_only_search_skips_facets_not_visibility(self, world):
        full = search(world.hel_member, SearchQuery("laptop OR pricing", page_size=100))
        bare = search(world.hel_member, SearchQuery("laptop OR pricing", page_size=100, facets=False))
        assert bare.facets == {} and full.facets
        assert [(h.type, h.id) for h in bare.hits] == [(h.type, h.id) for h in full.hits]
        assert bare.total == full.total
        assert ("template", world.secret.pk) not in {(h.type, h.id) for h in bare.hits}

    def test_undeclared_filter_raises(self, world):
        with pytest.raises(InvalidSearch):
            SearchQuery("laptop", filters={"organisation_id": ["1"]})

    # --- visibility: results AND facet counts -----------------------------------------------------

    def test_private_document_from_other_organisation_never_shows_or_counts(self, world):
        for person in (None, world.hel_member, world.ams_member, world.unv_member):
            results = search(person, SearchQuery("laptop pricing OR secret OR laptop"))
            assert world.secret.pk not in {h.id for h in results.hits if h.type == "template"}
            labels = {v.value for v in results.facets.get("label", [])}
            assert "epeat" not in labels  # only the secret template carries EPEAT
            orgs = {v.value: v.count for v in results.facets.get("organisation", [])}
            assert "city-of-malmo" not in orgs
        own = search(world.mal_member, SearchQuery("secret"))
        assert [h.id for h in own.hits] == [world.secret.pk]
        assert {v.value for v in own.facets["label"]} == {"epeat"}

    def test_words_that_look_like_access_tokens_grant_nothing(
        self, world, django_capture_on_commit_callbacks
    ):
        # The database backends index who may read a document as tokens (``pub``, ``net``,
        # ``o<id>``, ``g<id>``) beside its words: a private text made of those words stays private.
        org, group = world.mal.pk, world.group.pk
        with django_capture_on_commit_callbacks(execute=True):
            decoy = sf.lesson(
                world.mal,
                f"pub net PUB NET o{world.hel.pk} g{group} x{org} decoy",
                visibility="private",
                challenges=f"pub net o{world.hel.pk} O{world.hel.pk} G{group}",
            )
        for person in (None, world.hel_member, world.ams_member, world.unv_member):
            assert ("lesson", decoy.pk) not in self.found(person, "decoy")
            assert ("lesson", decoy.pk) not in self.found(person, "pub")
            types = {v.value: v.count for v in search(person, SearchQuery("decoy")).facets.get("type", [])}
            assert "lesson" not in types
        assert ("lesson", decoy.pk) in self.found(world.mal_member, "decoy")

    def test_group_visibility_follows_working_group_membership(self, world):
        hit = ("template", world.grouped.pk)
        assert hit in self.found(world.ams_member, "take-back")  # Amsterdam is in the group
        assert hit not in self.found(world.mal_member, "take-back")
        assert hit not in self.found(None, "take-back")

    def test_network_visibility_needs_a_verified_member(self, world):
        hit = ("lesson", world.network.pk)
        assert hit in self.found(world.mal_member, "leasing")
        assert hit not in self.found(world.unv_member, "leasing")
        assert hit not in self.found(None, "leasing")

    def test_anonymous_sees_public_only_also_in_counts(self, world):
        results = search(None, SearchQuery(""))
        assert all(
            (h.type, h.id) not in {("template", world.secret.pk), ("template", world.grouped.pk)}
            for h in results.hits
        )
        type_counts = {v.value: v.count for v in results.facets["type"]}
        assert type_counts["template"] == 2  # phone + Finnish laptops; not secret, not grouped

    # --- indexing follows the data ----------------------------------------------------------------

    def test_update_is_searchable_after_commit(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            world.phone.title = "Refurbished handset clauses"
            world.phone.save()
        assert ("template", world.phone.pk) in self.found(None, "handset")
        assert ("template", world.phone.pk) not in self.found(None, "smartphone")

    def test_newly_private_object_disappears_when_its_transaction_commits(
        self, world, django_capture_on_commit_callbacks
    ):
        assert ("template", world.phone.pk) in self.found(world.mal_member, "smartphone")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            world.phone.visibility = "private"
            world.phone.save()
        # Not yet committed: the index still has the committed state.
        assert ("template", world.phone.pk) in self.found(world.mal_member, "smartphone")
        for callback in callbacks:
            callback()
        assert ("template", world.phone.pk) not in self.found(world.mal_member, "smartphone")
        assert ("template", world.phone.pk) in self.found(world.hel_member, "smartphone")
        counts = search(world.mal_member, SearchQuery("", filters={"type": ["template"]})).facets[
            "organisation"
        ]
        assert {c.value: c.count for c in counts}.get("city-of-helsinki", 0) == 1  # Finnish laptops only

    def test_deleted_object_disappears_when_its_transaction_commits(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            world.phone.delete()
        assert self.found(None, "smartphone") == set()

    def test_sharing_with_a_group_is_indexed(self, world, django_capture_on_commit_callbacks):
        hit = ("template", world.secret.pk)
        group = f.working_group(members=[world.mal, world.hel])
        with django_capture_on_commit_callbacks(execute=True):
            world.secret.visibility = "group"
            world.secret.save()
            world.secret.shared_groups.add(group)
        assert hit in self.found(world.hel_member, "pricing")
        with django_capture_on_commit_callbacks(execute=True):
            world.secret.shared_groups.remove(group)
        assert hit not in self.found(world.hel_member, "pricing")

    def test_criterion_text_changes_reindex_its_template(self, world, django_capture_on_commit_callbacks):
        criterion = world.phone.criteria.get()
        with django_capture_on_commit_callbacks(execute=True):
            criterion.text = "Conflict minerals due diligence report."
            criterion.save()
        assert ("template", world.phone.pk) in self.found(None, "minerals")

    # --- ranking, sorting, paging, snippets -------------------------------------------------------

    def test_title_match_ranks_above_body_match(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            body = sf.lesson(
                world.hel,
                "Device lifetimes",
                visibility="public",
                challenges="Projectors were replaced too early.",
            )
            title = sf.lesson(world.hel, "Projectors bought for twelve years", visibility="public")
        hits = search(None, SearchQuery("projectors")).hits
        assert [h.id for h in hits][:2] == [title.pk, body.pk]
        assert hits[0].score >= hits[1].score

    def test_pages_split_results_without_overlap(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(5):
                sf.lesson(world.hel, f"Tablet lesson {i}", visibility="public")
        first = search(None, SearchQuery("tablet", page_size=2, sort="date"))
        third = search(None, SearchQuery("tablet", page=3, page_size=2, sort="date"))
        assert first.total == third.total == 5
        assert len(first.hits) == 2 and len(third.hits) == 1
        assert not {h.id for h in first.hits} & {h.id for h in third.hits}

    def test_snippet_marks_matches_and_escapes_content(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            sf.lesson(
                world.hel,
                "Escaping",
                visibility="public",
                context="<script>alert(1)</script> refurbished phones & tablets",
            )
        hit = search(None, SearchQuery("phones escaping")).hits[0]
        assert "<mark>phones</mark>" in hit.snippet_html
        # Only the <mark> we add is markup; the text's own characters are escaped (or, where the
        # engine treats tags as markup, dropped), so the snippet can be rendered safely.
        assert "<" not in hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
        assert "&amp; tablets" in hit.snippet_html

    # --- types that follow a parent or become public by state ----------------------------------

    def test_statement_becomes_public_when_opened(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            statement = sf.statement(
                world.hel,
                "Fair smartphones statement",
                body="Buyers ask for repairable phones.",
                demands=[("Spare parts for seven years", "32250000-0")],
            )
        hit = ("statement", statement.pk)
        assert hit not in self.found(world.mal_member, "repairable")
        assert hit in self.found(world.hel_member, "spare parts")
        with django_capture_on_commit_callbacks(execute=True):
            statement.status = "open"
            statement.save()
        assert hit in self.found(None, "repairable")
        facets = search(None, SearchQuery("repairable")).facets
        assert {v.value for v in facets["cpv"]} == {"32"}

    def test_co_issuers_find_a_draft_statement_others_do_not(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            draft = sf.statement(world.hel, "Draft statement on tablets", body="Modular tablets.")
        hit = ("statement", draft.pk)
        assert hit not in self.found(world.ams_member, "modular")
        with django_capture_on_commit_callbacks(execute=True):
            draft.issuers.add(world.ams)
        assert hit in self.found(world.ams_member, "modular")
        assert hit not in self.found(world.mal_member, "modular")
        counts = search(world.ams_member, SearchQuery("modular")).facets["type"]
        assert {c.value: c.count for c in counts} == {"statement": 1}

    def test_posts_follow_their_forum_and_removed_posts_leave(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            post = sf.forum_post(
                world.hel, "Has anyone tried refurbished servers?", title="Server reuse", visibility="network"
            )
        assert ("post", post.pk) in self.found(world.mal_member, "refurbished servers")
        assert ("thread", post.thread_id) in self.found(world.mal_member, "server reuse")
        forum = post.thread.forum
        with django_capture_on_commit_callbacks(execute=True):
            forum.visibility = "private"
            forum.save(update_fields=["visibility"])
        assert self.found(world.mal_member, "servers") == set()
        assert ("post", post.pk) in self.found(world.hel_member, "servers")
        with django_capture_on_commit_callbacks(execute=True):
            post.hidden_by_moderator = True
            post.save(update_fields=["hidden_by_moderator"])
        assert ("post", post.pk) not in self.found(world.hel_member, "refurbished")
