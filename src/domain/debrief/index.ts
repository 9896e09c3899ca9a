/** Debrief scheduling (SPEC §6): participants, slot proposals, the agenda and the calendar file. */
export * from './agenda';
export * from './ics';
export * from './participants';
export * from './slots';
