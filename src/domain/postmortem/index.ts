/** The postmortem document: its model, Markdown export, completeness and language checks. */
export * from './completeness';
export * from './document';
export * from './language';
export * from './markdown';
export * from './slack-text';
