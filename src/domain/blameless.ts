/**
 * The blameless-language check of SPEC 4: finds sentences that pin an outcome on a person (a mention, a
 * known name or a personal pronoun next to blame words) and action items too vague to act on, each with a
 * systemic rewording. It only warns; callers never block on it.
 *
 * It is a heuristic over words, tuned to stay quiet on ordinary incident prose: a system failing ("the
 * alert failed to fire") is not blame, and neither is a person doing something ("@bob rolled back").
 * Blame words must follow the person (with at most a few adverbs between) or name them right after
 * ("caused by Bob"), so that "@bob noticed the alert failed to fire" passes.
 */
import type { ActionItemType } from './postmortem/document';
import { escapeRegExp } from './regexp';

export type BlameCategory = 'omission' | 'hindsight' | 'missed_signal' | 'attribution' | 'character' | 'breakage';

export interface BlameWarning {
  /** The sentence as written. */
  sentence: string;
  /** Where the sentence starts in the checked text. */
  index: number;
  /** The person as referred to (`<@U1>`, `@bob`, `Bob`, `he`). */
  person: string;
  /** The blame words found (`forgot to`, `caused by`, `human error`). */
  phrase: string;
  category: BlameCategory;
  /** Systemic wording to consider instead. */
  suggestion: string;
}

export interface BlameOptions {
  /** Display names of the people involved; matched as whole words, in any case. */
  names?: readonly string[];
}

const PERSON = '\u0001';

/** Adverbs and auxiliaries that may stand between a person and the blame words. */
const FILLER =
  '(?:just|simply|also|then|again|clearly|obviously|really|completely|totally|apparently|probably|accidentally|mistakenly|unfortunately|evidently|had|has|have|must|may|might|already|somehow|basically|still|initially|once|sadly|presumably|likely|did|was|is|were)';

/** Blame verbs after a person: category and the regex source (matched case-insensitively). */
const AFTER_PERSON: readonly { category: BlameCategory; pattern: string }[] = [
  {
    category: 'omission',
    pattern:
      "forgot(?:ten)?(?: to)?|forgets(?: to)?|failed to|fails to|neglected(?: to)?|did ?n[o']t remember to|did not remember to|did ?n[o']t (?:bother|follow|check|test|read|verify|run|update|review|look)|did not (?:bother|follow|check|test|read|verify|run|update|review|look)|never (?:checked|tested|bothered)",
  },
  { category: 'hindsight', pattern: "should(?: have|'ve| not have|n't have)|ought to have" },
  {
    category: 'missed_signal',
    pattern:
      "did ?n[o']t notice|did not notice|missed|overlooked|ignored|was ?n[o']t paying attention|was not paying attention",
  },
  {
    category: 'character',
    pattern:
      '(?:was|is|were|being|been) (?:\\w+ )?(?:careless|sloppy|negligent|reckless|lazy|inattentive|incompetent|at fault|to blame|responsible for (?:the |this )?(?:outage|incident|failure|problem))|made (?:a|an|the) (?:\\w+ )?(?:mistake|error|blunder)',
  },
  { category: 'breakage', pattern: 'broke|messed up|screwed up|botched|fat-fingered|fat fingered' },
];

/** Blame words that name the person right after them: "caused by Bob", "the fault of @carol". */
const BEFORE_PERSON =
  '(?:caused by|fault of|blame(?:d)? (?:it )?on|blame|blaming|error (?:by|of)|mistake (?:by|of)|negligence (?:by|of)|introduced by)';

/** A person's fault, mistake …: "Bob's fault", "his mistake". */
const POSSESSIVE_BLAME = '(?:fault|mistake|error|carelessness|negligence|oversight|blunder|screw-?up)';

/** Blame with no person named, still blame of a person. */
const UNNAMED_BLAME = /\b(?:human|operator|pilot|engineer) error\b/i;

const SUGGESTIONS: Record<BlameCategory, string> = {
  omission:
    'Say which step was not done and why nothing caught it, e.g. "The step was not done, and nothing in the process checked for it."',
  hindsight:
    'Say what the system or process did not provide rather than what a person should have done, e.g. "The runbook did not cover this case."',
  missed_signal:
    'Describe what made the signal easy to miss, e.g. "The alert fired in a busy channel among many others."',
  attribution:
    'Name the change or condition, not the person, e.g. "The deploy of the new config triggered the failures."',
  character:
    'Describe the conditions that made the error possible (tooling, defaults, missing guardrails, fatigue), not a person.',
  breakage:
    'Describe what changed and why the system let it cause harm, e.g. "The config change reached production without a canary."',
};

interface Compiled {
  after: { category: BlameCategory; regex: RegExp }[];
  before: RegExp;
  possessive: RegExp;
}

const COMPILED: Compiled = {
  after: AFTER_PERSON.map(({ category, pattern }) => ({
    category,
    regex: new RegExp(`${PERSON}(\\d+)${PERSON}(?:\\s+${FILLER})*\\s+(${pattern})\\b`, 'i'),
  })),
  before: new RegExp(`\\b(${BEFORE_PERSON})\\s+(?:the\\s+)?${PERSON}(\\d+)${PERSON}`, 'i'),
  possessive: new RegExp(`${PERSON}(\\d+)${PERSON}(?:'s|’s|s')?\\s+(?:own\\s+)?(${POSSESSIVE_BLAME})(?![-\\w])`, 'i'),
};

/** Slack mentions, `@handles`, and the pronouns and role nouns that stand for one person. */
const BUILT_IN_PEOPLE =
  '<@[UW][A-Z0-9]+(?:\\|[^<>]*)?>|(?<![\\w.@])@[A-Za-z0-9][\\w.-]*|\\b(?:he|she|him|her|his|someone|somebody|the (?:on-?call(?: engineer)?|engineer|developer|operator|intern|new hire|sre|admin))\\b';

/** Finds sentences in `text` that blame a person, each with a systemic rewording to consider. */
export function findBlame(text: string, options: BlameOptions = {}): BlameWarning[] {
  const people = peoplePattern(options.names ?? []);
  const warnings: BlameWarning[] = [];
  for (const { sentence, index } of sentences(text)) {
    const found = blameInSentence(sentence, people);
    if (found) warnings.push({ sentence, index, ...found });
  }
  return warnings;
}

/** The last people pattern built: a document's check calls findBlame thousands of times with the same names. */
let lastPeople: { key: string; regex: RegExp } | null = null;

function peoplePattern(names: readonly string[]): RegExp {
  const key = names.join('\u0000');
  if (lastPeople?.key === key) return lastPeople.regex;
  const regex = buildPeoplePattern(names);
  lastPeople = { key, regex };
  return regex;
}

function buildPeoplePattern(names: readonly string[]): RegExp {
  const named = [...new Set(names.map((n) => n.trim()).filter((n) => n.length >= 2))]
    .sort((a, b) => b.length - a.length)
    .map((n) => `(?<![\\w@])${escapeRegExp(n)}(?!\\w)`);
  return new RegExp([...named, BUILT_IN_PEOPLE].join('|'), 'gi');
}

function blameInSentence(sentence: string, people: RegExp): Omit<BlameWarning, 'sentence' | 'index'> | null {
  const found: string[] = [];
  // People become numbered placeholders so that one set of patterns serves mentions, names and pronouns.
  const marked = sentence.replace(people, (match) => {
    found.push(match);
    return `${PERSON}${found.length - 1}${PERSON}`;
  });
  const who = (n: string | undefined) => found[Number(n)] ?? '';
  for (const { category, regex } of COMPILED.after) {
    const m = regex.exec(marked);
    if (m) return { person: who(m[1]), phrase: m[2]!, category, suggestion: suggestionFor(category, m[2]!, marked, m) };
  }
  const possessive = COMPILED.possessive.exec(marked);
  if (possessive) {
    return {
      person: who(possessive[1]),
      phrase: possessive[2]!,
      category: 'attribution',
      suggestion: SUGGESTIONS.attribution,
    };
  }
  const before = COMPILED.before.exec(marked);
  if (before) {
    return { person: who(before[2]), phrase: before[1]!, category: 'attribution', suggestion: SUGGESTIONS.attribution };
  }
  const unnamed = UNNAMED_BLAME.exec(sentence);
  if (unnamed) {
    return {
      person: found[0] ?? 'a person',
      phrase: unnamed[0],
      category: 'character',
      suggestion: SUGGESTIONS.character,
    };
  }
  return null;
}

/** For "forgot to X" and "failed to X", a concrete rewording built from X; otherwise the category's advice. */
function suggestionFor(category: BlameCategory, phrase: string, marked: string, match: RegExpExecArray): string {
  if (category === 'omission' && /\bto$/i.test(phrase)) {
    const rest = marked
      .slice(match.index + match[0].length)
      .replace(new RegExp(`${PERSON}\\d+${PERSON}`, 'g'), 'someone')
      .replace(/[.!?\s]+$/, '')
      .trim();
    if (rest !== '') return `Try: "Nothing in the process made sure someone would ${rest}." ${SUGGESTIONS.omission}`;
  }
  return SUGGESTIONS[category];
}

/** Sentences with where they start; a new line always ends one (timeline entries and list items). */
function sentences(text: string): { sentence: string; index: number }[] {
  const out: { sentence: string; index: number }[] = [];
  // A full stop ends a sentence only before a space or the end, so `x.com` and `@bob.smith` stay whole.
  const pattern = /(?:[^\n.!?]|[.!?](?=\S))+(?:[.!?]+(?=\s|$))?/g;
  for (const m of text.matchAll(pattern)) {
    const lead = m[0].length - m[0].trimStart().length;
    if (m[0].trim() !== '') out.push({ sentence: m[0].trim(), index: m.index + lead });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Vague action items
// ---------------------------------------------------------------------------------------------

export type VagueKind = 'investigate_without_question' | 'relies_on_vigilance' | 'unspecific_improvement';

export interface VagueItemWarning {
  kind: VagueKind;
  message: string;
  suggestion: string;
}

const INVESTIGATE = /\b(?:investigate|investigation|look into|looking into|dig into|research|explore|analy[sz]e)\b/i;
const QUESTION = /\?|\b(?:whether|why|how|what|which|if|when|where|who)\b/i;
const VIGILANCE =
  /\b(?:be (?:more )?careful|more careful|pay (?:more )?attention|be (?:more )?vigilant|double[- ]check|remember to|take (?:more )?care|be (?:more )?aware|try harder|don'?t forget)\b/i;
const IMPROVEMENT =
  /\b(?:improve|improving|better|enhance|increase|add more|more|review)\s+(?:the\s+|our\s+)?(?:monitoring|alerting|alerts|observability|logging|logs|metrics|dashboards|tests|testing|test coverage|documentation|docs|runbooks?|process(?:es)?|communication|reliability)\b/i;
/** Words that say nothing about what to improve. */
const EMPTY_WORDS = new Set(
  'we should need needs to the our a an and in of overall general generally more better some all everything across around for it this that'.split(
    ' ',
  ),
);

/** Why an action item is too vague to act on (SPEC 4: investigate without a question, be more careful, improve X without what). */
export function findVagueActionItem(text: string, type: ActionItemType | null = null): VagueItemWarning[] {
  const warnings: VagueItemWarning[] = [];
  const plain = text.replace(/<[^<>]*>/g, ' ').trim();
  if ((type === 'investigate' || INVESTIGATE.test(plain)) && !QUESTION.test(plain)) {
    warnings.push({
      kind: 'investigate_without_question',
      message: 'An investigation without a question has no end.',
      suggestion:
        'Say the question it answers, e.g. "Find out why the connection pool did not recover after the failover?"',
    });
  }
  if (VIGILANCE.test(plain)) {
    warnings.push({
      kind: 'relies_on_vigilance',
      message: 'Asking people to be more careful changes nothing the next time.',
      suggestion: 'Change the system instead: a check, a default, a guardrail or an automated step.',
    });
  }
  const improvement = IMPROVEMENT.exec(plain);
  if (improvement) {
    const rest = `${plain.slice(0, improvement.index)} ${plain.slice(improvement.index + improvement[0].length)}`;
    const specific = rest
      .toLowerCase()
      .split(/[^a-z0-9%-]+/)
      .some((word) => word.length > 0 && !EMPTY_WORDS.has(word));
    if (!specific) {
      warnings.push({
        kind: 'unspecific_improvement',
        message: `"${improvement[0]}" does not say what.`,
        suggestion: 'Say what exactly, e.g. "Alert when checkout 5xx exceeds 2% for 5 minutes".',
      });
    }
  }
  return warnings;
}
