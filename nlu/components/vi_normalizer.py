"""A whitespace tokenizer that normalises Vietnamese chat text (see ``vi_text``).

Rasa's featurizers read token texts, so normalising inside the tokenizer changes what every
featurizer sees while the message text, and therefore entity offsets, stay as the resident
typed them. Extra tokens (teen-code expansions, the folded view) reuse the span of the word
they come from.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.vi_text import views


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class VietnameseTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer + NFC, lowercase, teen-code expansion and a diacritics-folded view."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Adds the two switches used to measure what each part of the normalisation buys."""
        return {
            **WhitespaceTokenizer.get_default_config(),
            "expand_teencode": True,
            "add_folded_view": True,
        }

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "VietnameseTokenizer":
        """Creates the tokenizer (it has nothing to train or load)."""
        return cls({**cls.get_default_config(), **config})

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Splits like WhitespaceTokenizer, then replaces each word by its normalised views."""
        text = message.get(attribute)
        composed = unicodedata.normalize("NFC", text)
        if composed != text:
            # Offsets must refer to the text the entity extractors will read.
            message.set(attribute, composed)
        words = super().tokenize(message, attribute)
        if attribute != TEXT:
            return words
        expanded = views(
            [w.text for w in words],
            expand=self._config["expand_teencode"],
            add_folded=self._config["add_folded_view"],
        )
        return [Token(v, words[i].start, words[i].end) for i, v in expanded]
