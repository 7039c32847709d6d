"""Cold start: the model loads while the index does, and the bot answers Slack before both are
loaded; a question asked meanwhile is matched once they are, never lost.

Gates inside fake embedders decide what is still loading, so nothing here depends on timing
(joins and waits with a timeout only guard against hangs)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.container import build_services, warming_up_in_background
from bot.errors import ModelUnavailableError
from bot.matching.deferred import DeferredEmbedder
from bot.matching.embedder import Embedder, Vectors
from bot.matching.service import MatchingService
from tests.conftest import bot_settings
from tests.utils.bot_server import METRICS_TOKEN, BotServer
from tests.utils.fake_embedder import FakeEmbedder
from tests.utils.flow import QUESTION, ask, offer_to, seed
from tests.utils.slack_api import SlackStandIn

HANG = 30.0


class Gate:
    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def pass_through(self) -> None:
        self.entered.set()
        assert self.release.wait(HANG), "the test never opened the gate"


class SlowToStartEmbedder(FakeEmbedder):
    """Its first call (embedding the roster's profiles at start) waits at a gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = Gate()
        self._first = True

    def embed(self, texts: Sequence[str]) -> Vectors:
        if self._first:
            self._first = False
            self.gate.pass_through()
        return super().embed(texts)


class BrokenEmbedder(FakeEmbedder):
    def embed(self, texts: Sequence[str]) -> Vectors:
        raise ModelUnavailableError("the model files are gone")


def test_a_question_asked_while_the_bot_warms_up_is_answered_once_it_is_ready(
    engine: Engine, sqlite_url: str, slack_api: SlackStandIn
) -> None:
    seed(engine)  # profiles not embedded yet: the warm-up embeds them, behind the gate
    embedder = SlowToStartEmbedder()
    failures: list[BaseException] = []
    with warming_up_in_background(failures.append):
        bot = BotServer(
            bot_settings(sqlite_url, slack_api, metrics_token=METRICS_TOKEN), embedder, slack_api
        )
    try:
        assert embedder.gate.entered.wait(HANG)  # the index is still loading
        ask(bot)  # acknowledged at once, as always ("Looking for the best mentor…")
        ready = bot.request("GET", "/readyz", headers=bot.metrics_auth)
        assert ready.status == 503
        assert ready.json()["warming_up"] is True
        assert slack_api.messages_to("U0SRE0001") == []  # waiting, not matched on nothing

        embedder.gate.release.set()
        offer_to(slack_api, "U0SRE0001")  # the best mentor is asked, as if nothing happened
        bot.wait_idle()
        assert bot.runtime.warmed.is_set()
        assert bot.runtime.scheduler.running  # jobs run only once the index is there
        assert failures == []
    finally:
        embedder.gate.release.set()
        bot.close()


def test_a_failed_warm_up_is_reported_and_leaves_nothing_waiting(
    engine: Engine, sqlite_url: str, slack_api: SlackStandIn
) -> None:
    seed(engine)
    failures: list[BaseException] = []
    with warming_up_in_background(failures.append):
        bot = BotServer(
            bot_settings(sqlite_url, slack_api, metrics_token=METRICS_TOKEN),
            BrokenEmbedder(),
            slack_api,
        )
    try:
        assert bot.runtime.warmed.wait(HANG)
        assert [type(f) for f in failures] == [ModelUnavailableError]
        ask(bot)
        bot.wait_idle()  # the question's work ran (and failed) instead of waiting forever
        assert bot.request("GET", "/readyz", headers=bot.metrics_auth).status == 503
    finally:
        bot.close()


def models_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the models the composition root builds from now on (fakes)."""
    built: list[str] = []

    def model(name: str, *, threads: int | None = None) -> Embedder:
        built.append(name)
        return FakeEmbedder(name=name)

    monkeypatch.setattr("bot.container.build_embedder", model)
    return built


def test_the_bot_builds_around_a_model_it_loads_later_when_vectors_are_stored(
    engine: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(engine)
    MatchingService(engine=engine, embedder=FakeEmbedder()).start()  # vectors stored, as usual
    built = models_built(monkeypatch)
    settings = Settings(_env_file=None, database_url=sqlite_url, embedding_model="fake-bow")
    services = build_services(settings, engine=engine, defer_model=True)
    try:
        embedder = services.matching.embedder
        assert isinstance(embedder, DeferredEmbedder)
        assert (embedder.name, embedder.dim, built) == ("fake-bow", 512, [])  # not loaded yet
        answers: list[str] = []

        def ask() -> None:  # a question before the model is there waits for it
            answers.append(services.matching.match(QUESTION)[0].slack_id)

        asking = threading.Thread(target=ask)
        asking.start()
        embedder.load()
        services.matching.start()
        asking.join(HANG)
        assert not asking.is_alive()
        assert (built, answers) == (["fake-bow"], ["U0SRE0001"])
    finally:
        services.close()


def test_without_stored_vectors_the_model_is_loaded_at_once(
    engine: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing stored for this model yet: its vector size is only known from the model itself.
    built = models_built(monkeypatch)
    settings = Settings(_env_file=None, database_url=sqlite_url, embedding_model="fake-bow")
    services = build_services(settings, engine=engine, defer_model=True)
    try:
        assert built == ["fake-bow"]
        assert isinstance(services.matching.embedder, FakeEmbedder)
    finally:
        services.close()


def test_a_model_that_cannot_load_fails_every_caller_and_never_hangs() -> None:
    def broken() -> Embedder:
        raise OSError("no such file: model.safetensors")

    embedder = DeferredEmbedder("some-model", 512, broken)
    assert (embedder.name, embedder.dim) == ("some-model", 512)  # known without the model
    errors: list[BaseException] = []

    def use() -> None:
        try:
            embedder.embed_queries(["a question"])
        except ModelUnavailableError as error:
            errors.append(error)

    threads = [threading.Thread(target=use) for _ in range(5)]
    for thread in threads:
        thread.start()
    with pytest.raises(ModelUnavailableError):
        embedder.load()  # the warm-up learns why, and so does everyone waiting
    for thread in threads:
        thread.join(HANG)
        assert not thread.is_alive()
    assert len(errors) == 5
    assert all("model.safetensors" in str(e) for e in errors)


def test_a_model_whose_vectors_do_not_fit_the_stored_ones_is_refused() -> None:
    embedder = DeferredEmbedder("fake-bow", 384, lambda: FakeEmbedder(dim=512))
    with pytest.raises(ModelUnavailableError, match="512-d"):
        embedder.load()
    with pytest.raises(ModelUnavailableError, match="512-d"):
        embedder.embed(["anything"])
