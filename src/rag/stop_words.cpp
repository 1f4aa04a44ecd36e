#include "rag/stop_words.hpp"

#include <algorithm>

namespace sluice::rag {

namespace {

// Short lists after Snowball's, trimmed to words that carry no meaning in a search, sorted
// bytewise (a test checks the order).
constexpr std::string_view kEnglish[] = {
    "a",      "about",  "above", "after", "again",   "against",   "all",      "am",
    "an",     "and",    "any",   "are",   "as",      "at",        "be",       "because",
    "been",   "before", "being", "below", "between", "both",      "but",      "by",
    "can",    "could",  "did",   "do",    "does",    "doing",     "down",     "during",
    "each",   "few",    "for",   "from",  "further", "had",       "has",      "have",
    "having", "he",     "her",   "here",  "hers",    "herself",   "him",      "himself",
    "his",    "how",    "i",     "if",    "in",      "into",      "is",       "it",
    "its",    "itself", "just",  "me",    "more",    "most",      "my",       "myself",
    "no",     "nor",    "not",   "now",   "of",      "off",       "on",       "once",
    "only",   "or",     "other", "our",   "ours",    "ourselves", "out",      "over",
    "own",    "s",      "same",  "she",   "should",  "so",        "some",     "such",
    "t",      "than",   "that",  "the",   "their",   "theirs",    "them",     "themselves",
    "then",   "there",  "these", "they",  "this",    "those",     "through",  "to",
    "too",    "under",  "until", "up",    "very",    "was",       "we",       "were",
    "what",   "when",   "where", "which", "while",   "who",       "whom",     "why",
    "will",   "with",   "would", "you",   "your",    "yours",     "yourself", "yourselves",
};

constexpr std::string_view kFrench[] = {
    "a",       "ai",     "as",     "au",    "aura",   "aurai",  "aurons",  "auront", "aux",
    "avaient", "avais",  "avait",  "avec",  "avez",   "aviez",  "avions",  "avons",  "c",
    "ce",      "ces",    "d",      "dans",  "de",     "des",    "du",      "elle",   "elles",
    "en",      "es",     "est",    "et",    "eu",     "eue",    "eus",     "eux",    "furent",
    "fus",     "fut",    "il",     "ils",   "j",      "je",     "l",       "la",     "le",
    "les",     "leur",   "leurs",  "lui",   "m",      "ma",     "mais",    "me",     "meme",
    "mes",     "moi",    "mon",    "même",  "n",      "ne",     "nos",     "notre",  "nous",
    "on",      "ont",    "ou",     "par",   "pas",    "pour",   "qu",      "que",    "qui",
    "s",       "sa",     "se",     "sera",  "serai",  "serais", "serait",  "serons", "seront",
    "ses",     "soient", "sois",   "soit",  "sommes", "son",    "sont",    "soyez",  "soyons",
    "suis",    "sur",    "t",      "ta",    "te",     "tes",    "toi",     "ton",    "tu",
    "un",      "une",    "vos",    "votre", "vous",   "y",      "étaient", "étais",  "était",
    "étant",   "étiez",  "étions", "été",   "étée",   "étées",  "étés",    "êtes",
};

constexpr std::string_view kGerman[] = {
    "aber",      "alle",    "allem",   "allen",   "aller",    "alles",   "als",     "also",
    "am",        "an",      "ander",   "andere",  "anderem",  "anderen", "anderer", "anderes",
    "auch",      "auf",     "aus",     "bei",     "bin",      "bis",     "bist",    "da",
    "damit",     "dann",    "das",     "dass",    "dasselbe", "dazu",    "daß",     "dein",
    "deine",     "deinem",  "deinen",  "deiner",  "dem",      "den",     "denn",    "der",
    "derer",     "des",     "dessen",  "dich",    "die",      "dies",    "diese",   "dieselbe",
    "dieselben", "diesem",  "diesen",  "dieser",  "dieses",   "dir",     "doch",    "dort",
    "du",        "durch",   "ein",     "eine",    "einem",    "einen",   "einer",   "eines",
    "einig",     "einige",  "einigem", "einigen", "einiger",  "einiges", "einmal",  "er",
    "es",        "etwas",   "euch",    "euer",    "eure",     "eurem",   "euren",   "eurer",
    "für",       "gegen",   "gewesen", "hab",     "habe",     "haben",   "hat",     "hatte",
    "hatten",    "hier",    "hin",     "hinter",  "ich",      "ihm",     "ihn",     "ihnen",
    "ihr",       "ihre",    "ihrem",   "ihren",   "ihrer",    "ihres",   "im",      "in",
    "indem",     "ins",     "ist",     "jede",    "jedem",    "jeden",   "jeder",   "jedes",
    "jene",      "jenem",   "jenen",   "jener",   "jenes",    "jetzt",   "kann",    "kein",
    "keine",     "keinem",  "keinen",  "keiner",  "keines",   "können",  "könnte",  "machen",
    "man",       "manche",  "manchem", "manchen", "mancher",  "manches", "mein",    "meine",
    "meinem",    "meinen",  "meiner",  "meines",  "mich",     "mir",     "mit",     "muss",
    "musste",    "nach",    "nicht",   "nichts",  "noch",     "nun",     "nur",     "ob",
    "oder",      "ohne",    "sehr",    "sein",    "seine",    "seinem",  "seinen",  "seiner",
    "seines",    "selbst",  "sich",    "sie",     "sind",     "so",      "solche",  "solchem",
    "solchen",   "solcher", "solches", "soll",    "sollte",   "sondern", "sonst",   "um",
    "und",       "uns",     "unser",   "unsere",  "unserem",  "unseren", "unserer", "unseres",
    "unter",     "viel",    "vom",     "von",     "vor",      "war",     "waren",   "warst",
    "was",       "weg",     "weil",    "weiter",  "welche",   "welchem", "welchen", "welcher",
    "welches",   "wenn",    "werde",   "werden",  "wie",      "wieder",  "will",    "wir",
    "wird",      "wirst",   "wo",      "wollen",  "wollte",   "während", "würde",   "würden",
    "zu",        "zum",     "zur",     "zwar",    "zwischen", "über",
};

constexpr std::string_view kSpanish[] = {
    "a",        "al",     "algo",   "algunas", "algunos", "ante",     "antes",   "como",
    "con",      "contra", "cual",   "cuando",  "de",      "del",      "desde",   "donde",
    "durante",  "e",      "el",     "ella",    "ellas",   "ellos",    "en",      "entre",
    "era",      "erais",  "eran",   "eras",    "eres",    "es",       "esa",     "esas",
    "ese",      "eso",    "esos",   "esta",    "estaba",  "estado",   "estamos", "estan",
    "estar",    "estas",  "este",   "esto",    "estos",   "estoy",    "está",    "están",
    "fue",      "fueron", "fui",    "ha",      "habia",   "han",      "has",     "hasta",
    "hay",      "la",     "las",    "le",      "les",     "lo",       "los",     "me",
    "mi",       "mis",    "mucho",  "muchos",  "muy",     "más",      "mí",      "mía",
    "mío",      "nada",   "ni",     "no",      "nos",     "nosotros", "nuestra", "nuestro",
    "o",        "os",     "otra",   "otras",   "otro",    "otros",    "para",    "pero",
    "poco",     "por",    "porque", "que",     "quien",   "quienes",  "qué",     "se",
    "sea",      "ser",    "si",     "sido",    "sin",     "sobre",    "sois",    "somos",
    "son",      "soy",    "su",     "sus",     "también", "te",       "tengo",   "ti",
    "tiene",    "tu",     "tus",    "tú",      "un",      "una",      "uno",     "unos",
    "vosotros", "y",      "ya",     "yo",      "él",
};

}  // namespace

StopWords::StopWords(std::span<const std::string_view> sorted_words) : words_(sorted_words) {
  for (std::string_view word : words_) longest_ = std::max(longest_, word.size());
  std::size_t index = 0;
  for (std::size_t byte = 0; byte <= 256; ++byte) {
    while (index < words_.size() && !words_[index].empty() &&
           static_cast<unsigned char>(words_[index].front()) < byte)
      ++index;
    first_[byte] = static_cast<std::uint16_t>(index);
  }
}

const StopWords& StopWords::for_language(std::string_view language) {
  static const StopWords english{kEnglish}, french{kFrench}, german{kGerman}, spanish{kSpanish},
      none{{}};
  if (language == "english") return english;
  if (language == "french") return french;
  if (language == "german") return german;
  if (language == "spanish") return spanish;
  return none;
}

bool StopWords::contains(std::string_view folded_word) const {
  if (folded_word.empty() || folded_word.size() > longest_) return false;
  const auto byte = static_cast<unsigned char>(folded_word.front());
  return std::binary_search(words_.begin() + first_[byte], words_.begin() + first_[byte + 1],
                            folded_word);
}

}  // namespace sluice::rag
