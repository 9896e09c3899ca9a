import type { ViewStateValue } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import {
  type ContributingFactor,
  DATA_LOSS_ANSWERS,
  type DetectedBy,
  SECTION_KEYS,
  type SectionKey,
  type SupportingLink,
} from '../../../domain/postmortem';
import type { ActionContext } from '../../../services/context';
import type { IncidentInChannel } from '../../../services/incidents';
import { incidentById } from '../../../services/incidents';
import { editSection, type SectionEdit, sectionsForEdit } from '../../../services/postmortems';
import { escapeMrkdwn } from '../../blocks/format';
import {
  DETECTED_BY_CHOICES,
  postmortemSectionModal,
  SECTION_FIRST_FIELD,
  TRIGGER_PREFIX,
} from '../../blocks/postmortem';
import type { SlackDeps } from '../../deps';
import { PostmortemFieldIds as F, postmortemSectionCallbackId } from '../../ids';
import { decodeMetadata, encodeMetadata, postmortemSectionMetadata } from '../../modal-metadata';
import type { SlackRoutes } from '../../routes';
import { viewListener } from '../../surfaces';
import { fieldErrors, fieldValue, selectedValue } from './fields';

type StateValues = Record<string, Record<string, ViewStateValue>>;

/** Slack's limit for a modal text field (SPEC 2); checked here too, since a request can carry anything. */
const FIELD_MAX = 3_000;
const OUT_OF_DATE = 'This form is out of date; open the section again with `/postmortem edit`.';

/** One modal per section (callback `postmortem_section_<key>`); errors go under the input concerned. */
/** Opens a section's modal, prefilled and carrying the version it shows (from `/postmortem edit` or the picker). */
export async function openSectionModal(
  client: WebClient,
  triggerId: string,
  context: ActionContext,
  incident: IncidentInChannel,
  section: SectionKey,
): Promise<void> {
  const draft = await sectionsForEdit(context, incident);
  await client.views.open({
    trigger_id: triggerId,
    view: postmortemSectionModal({
      section,
      sections: draft.sections,
      incident: { number: incident.row.number, title: incident.row.title },
      draftOnly: draft.authorship[section] === 'generated',
      privateMetadata: encodeMetadata(postmortemSectionMetadata, {
        incidentId: incident.row.id,
        section,
        version: draft.version,
      }),
    }),
  });
}

export function registerPostmortemSectionViews(routes: SlackRoutes, deps: SlackDeps): void {
  for (const section of SECTION_KEYS) {
    const firstField = SECTION_FIRST_FIELD[section];
    routes.view(
      postmortemSectionCallbackId(section),
      // A concurrent save (EditConflictError, with the newer text) shows under the modal's first input.
      viewListener(deps, firstField, async ({ view, request }) => {
        const metadata = decodeMetadata(postmortemSectionMetadata, view.private_metadata);
        if (!metadata || metadata.section !== section) return { errors: { [firstField]: OUT_OF_DATE } };
        const form = readSection(section, view.state.values);
        if (!form.success) return { errors: fieldErrors(form.error) };
        const context = await request.act();
        const incident = await incidentById(context, metadata.incidentId);
        await editSection(context, incident, { ...form.data, expectedVersion: metadata.version });
        return {};
      }),
    );
  }
}

/** The submitted form as the section's new content, or the zod error naming the input at fault. */
export function readSection(
  section: SectionKey,
  values: StateValues,
): { success: true; data: SectionEdit } | { success: false; error: z.ZodError } {
  const text = (id: string) => fieldValue(values, id);
  const choice = (id: string) => selectedValue(values, id);
  const parse = <T>(schema: z.ZodType<T>, input: unknown, wrap: (value: T) => SectionEdit) => {
    const parsed = schema.safeParse(input);
    return parsed.success ? { success: true as const, data: wrap(parsed.data) } : parsed;
  };
  switch (section) {
    case 'summary':
      return parse(z.object({ [F.summary]: words('The summary') }), { [F.summary]: text(F.summary) }, (v) => ({
        section,
        value: v[F.summary] ?? null,
      }));
    case 'impact':
      return parse(impactForm, impactInput(text, choice), (value) => ({ section, value }));
    case 'detection':
      return parse(
        detectionForm,
        {
          [F.detectedBy]: choice(F.detectedBy),
          [F.detectedDetail]: text(F.detectedDetail),
          [F.howSooner]: text(F.howSooner),
          [F.narrative]: text(F.narrative),
        },
        (value) => ({ section, value }),
      );
    case 'response':
      return parse(
        z.object({
          [F.slowedUs]: words('What slowed the response'),
          [F.helped]: words('What helped'),
          [F.narrative]: words('The narrative'),
        }),
        { [F.slowedUs]: text(F.slowedUs), [F.helped]: text(F.helped), [F.narrative]: text(F.narrative) },
        (v) => ({
          section,
          value: { slowedUs: v[F.slowedUs] ?? null, helped: v[F.helped] ?? null, narrative: v[F.narrative] ?? null },
        }),
      );
    case 'contributingFactors':
      return parse(
        z.object({ [F.factors]: factorsField, [F.fiveWhys]: words('The five whys') }),
        { [F.factors]: text(F.factors), [F.fiveWhys]: text(F.fiveWhys) },
        (v) => ({ section, value: { factors: v[F.factors] ?? [], fiveWhys: v[F.fiveWhys] ?? null } }),
      );
    case 'resolution':
      return parse(
        z.object({ [F.mitigation]: words('The mitigation'), [F.permanentFix]: words('The permanent fix') }),
        { [F.mitigation]: text(F.mitigation), [F.permanentFix]: text(F.permanentFix) },
        (v) => ({
          section,
          value: { mitigation: v[F.mitigation] ?? null, permanentFix: v[F.permanentFix] ?? null },
        }),
      );
    case 'lessonsLearned':
      return parse(
        z.object({
          [F.wentWell]: words('What went well'),
          [F.wentWrong]: words('What went wrong'),
          [F.gotLucky]: words('Where we got lucky'),
        }),
        { [F.wentWell]: text(F.wentWell), [F.wentWrong]: text(F.wentWrong), [F.gotLucky]: text(F.gotLucky) },
        (v) => ({
          section,
          value: {
            wentWell: v[F.wentWell] ?? null,
            wentWrong: v[F.wentWrong] ?? null,
            gotLucky: v[F.gotLucky] ?? null,
          },
        }),
      );
    case 'actionItems':
      return parse(z.object({ [F.note]: words('The action items note') }), { [F.note]: text(F.note) }, (v) => ({
        section,
        value: v[F.note] ?? null,
      }));
    case 'supportingInformation':
      return parse(z.object({ [F.links]: linksField }), { [F.links]: text(F.links) }, (v) => ({
        section,
        value: v[F.links] ?? [],
      }));
  }
}

// ---- fields --------------------------------------------------------------------------------------

/**
 * A text input: trimmed, null when empty, refused beyond 3,000 characters, and stored Slack-escaped
 * like every message text (modal inputs are plain text: `<` means `<`).
 */
function words(what: string) {
  return plainWords(what).transform((value) => (value === null ? null : escapeMrkdwn(value)));
}

/** As `words`, without escaping yet: for fields read further (lists, links, figures). */
function plainWords(what: string) {
  return z
    .string()
    .nullish()
    .transform((value) => value?.trim() ?? '')
    .refine((value) => value.length <= FIELD_MAX, {
      message: `${what} holds at most 3,000 characters (Slack's limit for a field); shorten it or link a document.`,
    })
    .transform((value) => (value === '' ? null : value));
}

const URL_PATTERN = /^https?:\/\/[^\s<>]+$/i;

function isUrl(text: string): boolean {
  if (!URL_PATTERN.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

/** A number (`1200`, `1,200`) or a percentage (`12%`, `0.5 %`). */
function readFigure(text: string): { kind: 'count' | 'percentage'; value: number } | undefined {
  const match = /^(\d[\d,_ ]*(?:\.\d+)?)\s*(%)?$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]!.replace(/[,_ ]/g, ''));
  if (!Number.isFinite(value)) return undefined;
  if (match[2]) return value <= 100 ? { kind: 'percentage', value } : undefined;
  return Number.isSafeInteger(value) ? { kind: 'count', value } : undefined;
}

function impactInput(text: (id: string) => string | undefined, choice: (id: string) => string | undefined) {
  return {
    [F.affectedServices]: text(F.affectedServices),
    [F.customerVisible]: choice(F.customerVisible),
    [F.affected]: text(F.affected),
    [F.affectedOf]: text(F.affectedOf),
    [F.notMeasurable]: text(F.notMeasurable),
    [F.dataLoss]: choice(F.dataLoss),
    [F.sloBudget]: text(F.sloBudget),
    [F.supportTickets]: text(F.supportTickets),
    [F.statusPage]: text(F.statusPage),
    [F.narrative]: text(F.narrative),
  };
}

const impactForm = z
  .object({
    [F.affectedServices]: plainWords('Affected services'),
    [F.customerVisible]: z.enum(['yes', 'no'], { message: 'Pick yes or no.' }).nullish(),
    [F.affected]: plainWords('The figure'),
    [F.affectedOf]: words('What the figure counts'),
    [F.notMeasurable]: words('Why no figure can be given'),
    [F.dataLoss]: z.enum(DATA_LOSS_ANSWERS, { message: 'Pick one of the answers.' }).nullish(),
    [F.sloBudget]: words('SLO budget spent'),
    [F.supportTickets]: plainWords('Support tickets'),
    [F.statusPage]: plainWords('The status page link'),
    [F.narrative]: words('The narrative'),
  })
  .superRefine((form, ctx) => {
    const figure = form[F.affected];
    if (figure !== null && readFigure(figure) === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [F.affected],
        message: 'Give a number (1200) or a percentage (12%); if none can be measured, say why in the field below.',
      });
    }
    if (figure !== null && readFigure(figure) !== undefined && form[F.affectedOf] === null) {
      ctx.addIssue({
        code: 'custom',
        path: [F.affectedOf],
        message: 'Say what the figure counts, e.g. checkout requests.',
      });
    }
    const tickets = form[F.supportTickets];
    if (tickets !== null && !/^\d{1,9}$/.test(tickets.replace(/,/g, ''))) {
      ctx.addIssue({ code: 'custom', path: [F.supportTickets], message: 'Give the number of tickets, e.g. 14.' });
    }
    const page = form[F.statusPage];
    if (page !== null && !isUrl(page)) {
      ctx.addIssue({
        code: 'custom',
        path: [F.statusPage],
        message: 'Give the status page’s link, starting with https://',
      });
    }
  })
  .transform((form) => {
    const affected = form[F.affected];
    const of = form[F.affectedOf];
    const tickets = form[F.supportTickets];
    const page = form[F.statusPage];
    const figure = affected === null ? undefined : readFigure(affected);
    return {
      affectedServices: (form[F.affectedServices] ?? '')
        .split(/[,\n]/)
        .map((service) => service.trim())
        .filter((service) => service !== '')
        .map(escapeMrkdwn),
      customerVisible: form[F.customerVisible] ? form[F.customerVisible] === 'yes' : null,
      affected: figure && of !== null ? { ...figure, of } : null,
      notMeasurableReason: form[F.notMeasurable],
      dataLoss: form[F.dataLoss] ?? null,
      sloBudgetSpent: form[F.sloBudget],
      supportTickets: tickets === null ? null : Number(tickets.replace(/,/g, '')),
      statusPageUrl: page === null ? null : escapeMrkdwn(page),
      narrative: form[F.narrative],
    };
  });

const DETECTED_BY_KINDS = DETECTED_BY_CHOICES.map((c) => c.value) as [DetectedBy['kind'], ...DetectedBy['kind'][]];

const detectionForm = z
  .object({
    [F.detectedBy]: z.enum(DETECTED_BY_KINDS, { message: 'Pick who or what detected it.' }).nullish(),
    [F.detectedDetail]: plainWords('The detail'),
    [F.howSooner]: words('How we could have known sooner'),
    [F.narrative]: words('The narrative'),
  })
  .superRefine((form, ctx) => {
    if (form[F.detectedDetail] !== null && !form[F.detectedBy]) {
      ctx.addIssue({ code: 'custom', path: [F.detectedBy], message: 'Say who or what detected it first.' });
    }
  })
  .transform((form) => ({
    detectedBy: detectedBy(form[F.detectedBy] ?? null, form[F.detectedDetail]),
    howSooner: form[F.howSooner],
    narrative: form[F.narrative],
  }));

/** An alert's detail is its name, its link, or both; anyone else's is free text. */
function detectedBy(kind: DetectedBy['kind'] | null, detail: string | null): DetectedBy | null {
  if (kind === null) return null;
  if (kind !== 'alert') return { kind, detail: detail === null ? null : escapeMrkdwn(detail) };
  const url = detail?.split(/\s+/).find(isUrl) ?? null;
  const name =
    detail === null
      ? ''
      : detail
          .replace(url ?? '', ' ')
          .replace(/\s+/g, ' ')
          .trim();
  return { kind, name: name === '' ? null : escapeMrkdwn(name), url: url === null ? null : escapeMrkdwn(url) };
}

/** `- `, `* `, `• ` or `1. ` at the start of a line: list markers people paste. */
const LIST_MARKER = /^(?:[-*•]|\d{1,3}[.)])\s+/;
const TRIGGER_MARK = new RegExp(`^${TRIGGER_PREFIX.replace(':', '\\s*:')}\\s*`, 'i');

/** One factor per line; the trigger's line starts with `trigger:` (one trigger at most). */
const factorsField = plainWords('Contributing factors').transform((text, ctx): ContributingFactor[] => {
  if (text === null) return [];
  const factors: ContributingFactor[] = [];
  for (const [index, raw] of text.split(/\r\n|\r|\n/).entries()) {
    const line = raw.trim().replace(LIST_MARKER, '');
    if (line === '') continue;
    const isTrigger = TRIGGER_MARK.test(line);
    const words = line.replace(TRIGGER_MARK, '').trim();
    if (words === '') {
      ctx.addIssue({ code: 'custom', message: `Line ${index + 1} has nothing after “${TRIGGER_PREFIX}”.` });
      return z.NEVER;
    }
    factors.push({ text: escapeMrkdwn(words), isTrigger });
  }
  const triggers = factors.filter((f) => f.isTrigger).length;
  if (triggers > 1) {
    ctx.addIssue({
      code: 'custom',
      message: `Mark one factor as the trigger (${triggers} lines start with “${TRIGGER_PREFIX}”); the others contributed.`,
    });
    return z.NEVER;
  }
  return factors;
});

/** One link per line: the URL, then an optional label. */
const linksField = plainWords('Links').transform((text, ctx): SupportingLink[] => {
  if (text === null) return [];
  const links: SupportingLink[] = [];
  for (const [index, raw] of text.split(/\r\n|\r|\n/).entries()) {
    const line = raw.trim().replace(LIST_MARKER, '');
    if (line === '') continue;
    const [url = '', ...label] = line.split(/\s+/);
    if (!isUrl(url)) {
      ctx.addIssue({
        code: 'custom',
        message: `Line ${index + 1}: start with the link (https://…), then a label, e.g. https://grafana.example.com/d/checkout Checkout errors`,
      });
      return z.NEVER;
    }
    const words = label.join(' ').trim();
    links.push({ url: escapeMrkdwn(url), label: words === '' ? null : escapeMrkdwn(words) });
  }
  return links;
});
