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
    "\U0001f4f1\U0001f4bb\U0001f525",
    "смартфон 智能手机 هاتف ذكي",
    "x" * 500,
    "the and of och ja und",
    "\u0301\u0308",
    "+",
    "+ +secret",
    "30213100-6 -30213100",
]


class BackendWorld:
    """The contract's backend switch, shared content and helpers, without its cases (for cases
    only some backends share: see ``tests/search/test_backend_database.py``)."""

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

    def complete(self, person, text="", **kwargs) -> set[tuple[str, int]]:
        """Hits holding every word (a forgiving search may add partial matches after them)."""
        results = search(person, SearchQuery(text, page_size=100, **kwargs))
        return {(h.type, h.id) for h in results.hits if not h.missing}


class BackendContract(BackendWorld):
    """Mix into a ``Test...`` class and provide the ``search_backend`` fixture."""

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

    def test_documents_holding_every_word_come_first(self, world):
        assert self.complete(None, "smartphone clauses") == {("template", world.phone.pk)}
        assert self.complete(None, "smartphone tietokone") == set()

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

    def test_phrase_of_three_words_requires_all_three_in_a_row(self, django_capture_on_commit_callbacks):
        org = f.organisation("City of Lahti")
        with django_capture_on_commit_callbacks(execute=True):
            in_a_row = sf.lesson(org, "Quokka wombat numbat survey", visibility="public")
            pairs_apart = sf.lesson(
                org, "Quokka wombat count", visibility="public", context="A wombat numbat study."
            )
            reversed_order = sf.lesson(org, "Numbat wombat quokka survey", visibility="public")
        found = self.found(None, '"quokka wombat numbat"')
        assert ("lesson", in_a_row.pk) in found
        assert ("lesson", pairs_apart.pk) not in found
        assert ("lesson", reversed_order.pk) not in found

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

    def test_the_deepest_page_answers_empty_not_an_error(self, world):
        from network.search.query import MAX_PAGE, MAX_PAGE_SIZE

        deep = search(None, SearchQuery("smartphone", page=MAX_PAGE, page_size=MAX_PAGE_SIZE))
        assert deep.hits == [] and deep.total == 1
        browse = search(None, SearchQuery("", page=MAX_PAGE, page_size=MAX_PAGE_SIZE, sort="date"))
        assert browse.hits == [] and browse.total >= 3

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
        # A post is found as its thread (one hit per thread, see the thread grouping cases).
        assert ("thread", post.thread_id) in self.found(world.mal_member, "refurbished servers")
        assert ("thread", post.thread_id) in self.found(world.mal_member, "server reuse")
        forum = post.thread.forum
        with django_capture_on_commit_callbacks(execute=True):
            forum.visibility = "private"
            forum.save(update_fields=["visibility"])
        assert self.found(world.mal_member, "servers") == set()
        assert ("thread", post.thread_id) in self.found(world.hel_member, "servers")
        with django_capture_on_commit_callbacks(execute=True):
            post.hidden_by_moderator = True
            post.save(update_fields=["hidden_by_moderator"])
        assert self.found(world.hel_member, "refurbished") == set()

    # --- the analysis chain: lemmas, compounds, folding (issue 14) ---------------------------------

    def _lesson(self, world, dcc, title, language, text="", visibility="public"):
        with dcc(execute=True):
            return sf.lesson(world.hel, title, language=language, visibility=visibility, context=text)

    def test_finnish_lemmas_undo_consonant_gradation_and_stem_changes(
        self, world, django_capture_on_commit_callbacks
    ):
        doc = self._lesson(
            world,
            django_capture_on_commit_callbacks,
            "Älypuhelimet ja laitteiden kilpailutuksessa",
            "fi",
            "Kilpailutus koski laitteiden elinkaarta.",
        )
        hit = ("lesson", doc.pk)
        for query in ("älypuhelin", "kilpailutus", "kilpailutuksessa", "laite", "laitteita"):
            assert hit in self.complete(None, query), query

    def test_lemmas_for_swedish_and_dutch_forms_snowball_misses(
        self, world, django_capture_on_commit_callbacks
    ):
        sv = self._lesson(world, django_capture_on_commit_callbacks, "Begagnade datorer", "sv")
        nl = self._lesson(
            world, django_capture_on_commit_callbacks, "Duurzame en herbruikbare telefoons", "nl"
        )
        assert ("lesson", sv.pk) in self.complete(None, "dator")
        assert ("lesson", nl.pk) in self.complete(None, "duurzaam")
        assert ("lesson", nl.pk) in self.complete(None, "herbruikbaar")

    def test_compound_parts_are_found_in_fi_sv_de_nl(self, world, django_capture_on_commit_callbacks):
        dcc = django_capture_on_commit_callbacks
        fi = self._lesson(world, dcc, "Älypuhelimet ja tietokoneet kouluille", "fi")
        sv = self._lesson(world, dcc, "Surfplattor till skolorna", "sv")
        de = self._lesson(world, dcc, "Rahmenvertrag für Mobiltelefonen", "de")
        nl = self._lesson(world, dcc, "Reserveonderdelen voor laptops", "nl")
        assert ("lesson", fi.pk) in self.complete(None, "puhelin")
        assert ("lesson", fi.pk) in self.complete(None, "kone")
        assert ("lesson", sv.pk) in self.complete(None, "platta")
        assert ("lesson", de.pk) in self.complete(None, "Telefon")
        assert ("lesson", nl.pk) in self.complete(None, "onderdeel")
        # A compound query word is not split: "tietokone" must not find every "kone".
        machine = self._lesson(world, dcc, "Kone", "fi")
        assert ("lesson", machine.pk) not in self.complete(None, "tietokone")

    def test_accents_fold_but_nordic_letters_stay_apart(self, world, django_capture_on_commit_callbacks):
        dcc = django_capture_on_commit_callbacks
        fr = self._lesson(world, dcc, "Ordinateur reconditionné", "fr")
        year = self._lesson(world, dcc, "Avtalet gäller ett år", "sv")
        assert ("lesson", fr.pk) in self.complete(None, "reconditionne")
        assert ("lesson", year.pk) in self.complete(None, "år")
        assert ("lesson", year.pk) not in self.complete(None, "ar")

    # --- languages detected, not assumed -----------------------------------------------------------

    def test_undeclared_content_is_analysed_in_its_detected_language(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            tender = sf.tender(
                world.hel,
                "Kannettavien tietokoneiden hankinta kouluille",
                visibility="public",
                description="Hankimme kannettavia tietokoneita peruskouluille vuonna 2027.",
            )
        results = search(None, SearchQuery("kannettava tietokone"))
        hits = {(h.type, h.id): h for h in results.hits}
        assert ("tender", tender.pk) in hits and not hits["tender", tender.pk].missing
        assert hits["tender", tender.pk].language == "fi"
        assert {
            v.value for v in search(None, SearchQuery("", filters={"language": ["fi"]})).facets["type"]
        } >= {"tender"}

    def test_mixed_language_document_indexes_each_field_in_its_language(
        self, world, django_capture_on_commit_callbacks
    ):
        from network.search.models import SearchDocument

        with django_capture_on_commit_callbacks(execute=True):
            tender = sf.tender(
                world.mal,
                "Kannettavien tietokoneiden yhteishankinta",
                visibility="public",
                description="Vi köper bärbara datorer tillsammans med Helsingfors stad för skolorna.",
            )
        hit = ("tender", tender.pk)
        assert hit in self.complete(None, "tietokone")  # the Finnish title, by Voikko's lemma
        assert hit in self.complete(None, "dator")  # the Swedish description, by simplemma's lemma
        if type(self).__name__ != "TestEngineBackend":
            document = SearchDocument.objects.get(type="tender", object_id=tender.pk)
            # Title Finnish, description Swedish (the procedure's name is English).
            assert document.field_languages["title"] == "fi" and "sv" in {
                document.language,
                *document.field_languages.values(),
            }

    # --- forgiving queries ---------------------------------------------------------------------------

    def test_most_words_follow_every_word_with_the_missing_ones_named(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            refurb = sf.lesson(
                world.hel,
                "Refurbished smartphones",
                visibility="public",
                context="Procurement of used phones.",
            )
        results = search(None, SearchQuery("refurbished smartphones zebra procurement"))
        hits = [(h.type, h.id) for h in results.hits]
        assert results.partial and ("lesson", refurb.pk) in hits
        by_id = {(h.type, h.id): h for h in results.hits}
        assert by_id["lesson", refurb.pk].missing == ["zebra"]
        # The best partial match (3 of 4 words) ranks above one holding a single word.
        assert hits.index(("lesson", refurb.pk)) < hits.index(("template", world.phone.pk))
        # Quotes and +word still force.
        assert self.found(None, "refurbished smartphones +zebra") == set()
        assert ("lesson", refurb.pk) not in self.found(None, '"smartphones refurbished" procurement zebra')

    def test_a_natural_question_finds_the_thread_lacking_one_word(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            post = sf.forum_post(
                world.hel,
                "We added the clauses to every ICT tender.",
                title="Electronics Watch contract clauses",
                visibility="public",
            )
        results = search(None, SearchQuery("smartphone contract clauses Electronics Watch", page_size=100))
        hits = {(h.type, h.id): h for h in results.hits}
        assert ("template", world.phone.pk) in hits and not hits["template", world.phone.pk].missing
        assert hits["thread", post.thread_id].missing == ["smartphone"]

    def test_misspelt_word_gets_a_suggestion_and_its_results_when_nothing_matches(self, world):
        results = search(None, SearchQuery("smartphnes"))
        assert results.suggestion == "smartphone" and results.corrected_from == "smartphnes"
        assert ("template", world.phone.pk) in {(h.type, h.id) for h in results.hits}
        swapped = search(None, SearchQuery("electronics wacth"))
        assert swapped.suggestion == "electronics watch"

    def test_suggestions_never_offer_a_word_only_a_private_document_holds(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            sf.lesson(world.mal, "Quokkaphone pricing notes", visibility="private")
        for person in (None, world.hel_member, world.ams_member):
            results = search(person, SearchQuery("quokkafone"))
            assert results.suggestion == "" and results.hits == [] and results.total == 0
        own = search(world.mal_member, SearchQuery("quokkafone"))
        assert own.suggestion == "quokkaphone" and own.total == 1

    # --- results people can use ----------------------------------------------------------------------

    def test_a_thread_appears_once_with_its_best_post_and_match_count(
        self, world, django_capture_on_commit_callbacks
    ):
        from forums.models import Post

        with django_capture_on_commit_callbacks(execute=True):
            first = sf.forum_post(
                world.hel, "Modular laptops last longer.", title="Device lifetimes", visibility="public"
            )
            for seq, body in ((2, "Modular laptops: spare parts for seven years."), (3, "Nothing to add.")):
                Post.objects.create(thread=first.thread, seq=seq, body=body, body_html=body)
        results = search(None, SearchQuery("modular laptops", page_size=100))
        threads = [h for h in results.hits if h.type == "thread" and h.id == first.thread_id]
        assert len(threads) == 1 and not [h for h in results.hits if h.type == "post"]
        assert threads[0].matches == 2 and threads[0].title == "Device lifetimes"
        assert "<mark>Modular</mark>" in threads[0].snippet_html
        assert results.total == len(results.hits)

    def test_a_post_is_credited_to_its_authors_organisation(self, world, django_capture_on_commit_callbacks):
        from forums.models import Post

        with django_capture_on_commit_callbacks(execute=True):
            opening = sf.forum_post(
                world.hel, "Opening post.", title="Convened discussion", visibility="public"
            )
            Post.objects.create(
                thread=opening.thread,
                seq=2,
                author_organisation=world.mal,
                body="Malmö tried lease models for tablets.",
                body_html="",
            )
        results = search(None, SearchQuery("lease tablets", filters={"type": ["post"]}))
        assert [h.organisation for h in results.hits] == ["City of Malmö"]
        facets = {name: {v.value: v.count for v in values} for name, values in results.facets.items()}
        assert facets["organisation"] == {"city-of-malmo": 1} and facets["country"] == {"SE": 1}

    def test_snippets_show_rendered_text_not_markdown(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            post = sf.forum_post(
                world.hel,
                "**Refurbished** monitors: see [the list](https://example.org) _today_.",
                title="Monitors",
                visibility="public",
            )
        hit = next(
            h for h in search(None, SearchQuery("refurbished monitors")).hits if h.id == post.thread_id
        )
        assert (
            "**" not in hit.snippet_html
            and "](" not in hit.snippet_html
            and "_today_" not in hit.snippet_html
        )
        assert "<mark>Refurbished</mark> <mark>monitors</mark>" in hit.snippet_html

    def test_facet_labels_follow_the_language_of_the_request(self, world):
        from django.utils import translation

        with translation.override("fi"):
            fi = search(None, SearchQuery("smartphone"))
        with translation.override("en"):
            en = search(None, SearchQuery("smartphone"))
        label = {v.value: v.label for v in fi.facets["type"]}["template"]
        assert label != {v.value: v.label for v in en.facets["type"]}["template"] == "Tender template"
        assert {v.value: v.label for v in fi.facets["country"]}["FI"] == "Suomi"

    def test_a_cpv_code_in_the_search_box_matches_its_description(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            described = sf.lesson(world.ams, "Buying portable computers together", visibility="public")
        for text in ("30213100-6", "30213100"):
            found = self.complete(None, text)
            assert ("lesson", described.pk) in found, text  # by its description
            assert ("template", world.laptops_fi.pk) in found, text  # by the code it carries
